"""The web chat (Gradio) over rag's public API; see ui/app.py."""
