"""Files: a service below the actions (it imports no action, view or realtime module).

- kinds.py    the types recognised (name, MIME type, extension, kind)
- sniff.py    what a file is, from its bytes; refusals (HTML, SVG, polyglots, zip bombs, macros)
- images.py   images decoded and re-encoded by Pillow, metadata stripped, resized, thumbnailed
- documents.py  office documents' people-naming properties emptied
- process.py  one file from bytes as sent to bytes as stored (sniff, clean, hash)
- worker.py   the worker process that runs process.py off the eventlet hub; pool.py its pool
- storage.py  LocalStorage / S3Storage, content-addressed keys
- service.py  ingest(): process + store, with every refusal explained in the reader's language
- names.py    shown and downloaded names, addresses, API objects

sniff, images, documents, process, kinds and worker import nothing of the app (no Flask): the
worker process loads them by their path. Keep this file free of imports for that reason.
"""
