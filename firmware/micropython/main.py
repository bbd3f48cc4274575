# makerkit firmware entry point on the board (copied to /main.py by `makerkit deploy`).
import mkfw.main

mkfw.main.run()
