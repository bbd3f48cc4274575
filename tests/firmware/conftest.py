import fw_paths  # noqa: F401  (puts firmware/micropython on sys.path so `mkfw` imports)
