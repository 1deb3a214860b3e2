"""The REST API (/api/v1/, README "API"): read-only views of what the user sees on the
pages, through the same chokepoints (`visible_to`, `visible_or_404`, the figure rules
and the disclosure of services.disclosure), and the one write: external index values,
through services.scores.set_external_value."""
