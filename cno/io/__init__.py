"""Getting data in and out: importers, exporters, the JSON dump and its restore."""
