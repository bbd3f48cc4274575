"""Makes ``lessons/`` the package ``makerkit._data.lessons`` (setup.py), so everything in it ships with makerkit
as package data, found through importlib.resources (makerkit.resources.data_dir). It holds no code."""
