"""The virtual kit: the real makerkit firmware (``mkfw``) on a simulated board in a simulated world.

``VirtualKit("uno")`` runs in this program (``makerkit.connect("sim://uno")`` uses it);
``serve(board=..., listen="127.0.0.1:0")`` or ``makerkit sim serve`` puts one on a loopback socket or
a pseudo-terminal for other programs. Importing this package starts nothing.
"""

from .fs import SimFs
from .kit import SimTransport, VirtualKit
from .world import TraceEvent, World


def serve(*args, **kwargs):
    """Serve a virtual kit on ``socket://`` (and optionally a pty); see :func:`makerkit.sim.server.serve`."""
    from .server import serve as _serve
    return _serve(*args, **kwargs)


__all__ = ["SimFs", "SimTransport", "TraceEvent", "VirtualKit", "World", "serve"]
