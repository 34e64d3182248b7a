#!/usr/bin/env python3
# Renders a Jinja template from stdin with jinja2 and the variables given as a JSON
# object in argv[1]. --ansible turns on trim_blocks as Ansible's template module does.
import json, sys, jinja2
args = [a for a in sys.argv[1:] if not a.startswith('--')]
env = jinja2.Environment(trim_blocks='--ansible' in sys.argv, keep_trailing_newline=True, undefined=jinja2.StrictUndefined if '--strict' in sys.argv else jinja2.Undefined)
sys.stdout.write(env.from_string(sys.stdin.read()).render(**json.loads(args[0] if args else '{}')))
