"""Pictures: checking and cleaning uploads with Pillow (`images`), storing them by content
hash (`storage`), and drawing the demo's photos (`drawn`)."""
