"""The idea file: fields and schema, estimates (numbers and 90% ranges), load / save, folders and spreadsheets."""
