"""Pieces of links to the app's pages, shared by views and notifications."""


def period_query(period):
    """?tahun=…[&tw=…] naming the period in a link or a form's action."""
    query = f"?tahun={period.tahun}"
    return f"{query}&tw={period.triwulan}" if period.triwulan else query
