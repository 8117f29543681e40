"""Reference results for existing image files (run with Debian's /usr/bin/python3, after
reference_transform.py): argv are paths; prints one JSON line per file, like interop_gen.py."""
import json, sys

for i, name in enumerate(sys.argv[1:]):
    rec = reference(open(name, 'rb').read(), {'i': i, 'file': name})
    print(json.dumps(rec), flush=True)
