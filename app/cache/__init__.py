"""The offline store on disk: image bytes (and later metadata and the edit journal). No Qt."""
