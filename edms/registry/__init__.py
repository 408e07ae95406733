"""Registration cards, journals and numbering, attachments, links between cards, case files."""
