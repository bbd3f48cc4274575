"""Only what pyproject.toml cannot say: the top-level data folders ship inside the package.

``lessons/``, ``boards/`` and ``firmware/`` stay at the top of the repository; the packages
``makerkit._data.<name>`` are mapped onto them (``package_dir``), and pyproject's package-data takes
every file of every lesson folder (``**/*``). A new lesson folder therefore ships in the wheel, and
an editable install sees it at once, with no change here or in pyproject.toml.
``firmware/micropython/mkfw`` is the device firmware, also installed as the top-level package
``mkfw`` so the virtual kit runs the very same code and ``makerkit deploy`` copies it from there.
"""

from setuptools import find_namespace_packages, setup

DATA_PACKAGES = {f"makerkit._data.{name}": name for name in ("lessons", "boards", "firmware")}

setup(
    packages=find_namespace_packages(include=["makerkit", "makerkit.*"])
    + find_namespace_packages("firmware/micropython", include=["mkfw", "mkfw.*"])
    + list(DATA_PACKAGES),
    package_dir={"mkfw": "firmware/micropython/mkfw", **DATA_PACKAGES},
)
