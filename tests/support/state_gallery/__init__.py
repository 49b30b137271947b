"""The state gallery: drives the real main window into each state a merchant can meet (start
screen, loading, empty, each error, the image-server banner, selection, loupe), at each window
size and scale, saves a screenshot of each, and reports whether any state made the window wider.

Run it (it starts Xvfb itself when there is no display):

    python -m tests.support.state_gallery --out build/state-gallery --size 900x620 --size 1280x800
    python -m tests.support.state_gallery --out build/state-gallery --scale 2 --size 900x620
    python -m tests.support.state_gallery --out docs --only many-images --size 1280x800 \\
        --prefix screenshot- --plain-names          # the README's pictures

A state is a function in `states.py` registered with `@state(...)`; see that module's docstring.
`tests/ui/test_state_gallery.py` runs the whole gallery and fails on a widened window, a state
that was not reached, or a missing or blank picture.
"""

from .stage import Stage, StateNotReached
from .states import STATES, GalleryState

__all__ = ["STATES", "GalleryState", "Stage", "StateNotReached"]
