"""The surface's own pages, which read several features: the overview, and /deletions/
(deletion requests and cleanup plans together)."""
