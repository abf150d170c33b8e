"""cno — a command-line networking journal."""

__version__ = "0.2.0"
