"""SKP Cascade: performance planning and evaluation for regional governments."""
