from .home import home
from .opd import OPDDetailView, OPDListView

__all__ = ["OPDDetailView", "OPDListView", "home"]
