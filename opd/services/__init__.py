"""Business rules of the opd app: plain functions, called by views, imports, the admin
and the demo seed."""
