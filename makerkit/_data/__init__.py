"""The data that ships with makerkit, as package data.

``makerkit._data.lessons`` is the repository's top-level ``lessons/`` folder, ``makerkit._data.boards``
its ``boards/`` and ``makerkit._data.firmware`` its ``firmware/`` (the MicroPython ``main.py``):
``setup.py`` maps these packages onto those folders, so a wheel carries every lesson folder with no
line per lesson, and an editable install finds them where they are. Read them through
:func:`makerkit.resources.data_dir`, never by importing them.
"""
