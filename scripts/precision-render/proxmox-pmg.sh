#!/bin/bash
# proxmox-pmg: src/templates/main.cf.in and master.cf.in (Template Toolkit, default options)
# rendered by a small TT evaluator (IF/ELSE/END, [%- -%] chomping, variables; the three
# arithmetic expressions are computed by hand below) with the PMG::Config mail defaults plus
# relay=10.0.0.20, tls=1, dnsbl_sites=zen.spamhaus.org; host pmg.example.com, internal IP
# 10.0.0.10, mynetworks as get_template_vars builds it; max_filters/max_smtpd for a 4 GiB node.
# The /etc/pmg and generated /etc/postfix tables are absent.
set -euo pipefail
G=$1 C=$2 O=$3
for f in main.cf master.cf; do
git -C "$G" show "$C:src/templates/$f.in" | python3 -c '
import re, sys
mail = {"banner": "ESMTP Proxmox", "dwarning": 4, "maxsize": 10485760, "relay": "10.0.0.20", "relayprotocol": "smtp",
  "relayport": 25, "relaynomx": 0, "smarthost": None, "smarthostport": 25, "before_queue_filtering": 0,
  "filter-timeout": 600, "queue-lifetime": None, "helotests": 0, "rejectunknown": 0, "rejectunknownsender": 0,
  "verifyreceivers": None, "conn_count_limit": 50, "conn_rate_limit": 0, "message_rate_limit": 0, "tls": 1,
  "tlslog": 0, "tlsheader": 0, "hide_received": 0, "smtputf8": 1, "max_filters": 9, "int_port": 26, "ext_port": 25,
  "max_smtpd_out": 100, "max_smtpd_in": 100}
V = {"pmg": {"mail": mail}, "dns": {"domain": "example.com", "hostname": "pmg"},
  "postfix": {"mynetworks": "10.0.0.0/24 10.0.0.20/32 127.0.0.0/8 [::1]/128", "int_ip": "10.0.0.10", "usepolicy": 1,
    "dnsbl_sites": "zen.spamhaus.org", "dnsbl_threshold": 1, "transportnets": ""}}
HAND = {"((pmg.mail.maxsize*2 > 51200000) ? pmg.mail.maxsize*2 : 51200000)": 51200000,
  "pmg.mail.conn_count_limit div 5": 10, "(pmg.mail.maxsize*2)": 20971520}
def ev(e):
    e = e.strip()
    if e in HAND: return HAND[e]
    if e.startswith("! "): return not ev(e[2:])
    m = re.fullmatch(r"(.+?) == \x27(.*)\x27", e)
    if m: return str(ev(m.group(1))) == m.group(2)
    v = V
    for part in re.findall(r"item\(\x27([^\x27]+)\x27\)|([A-Za-z_]\w*)", e):
        key = part[0] or part[1]
        if key == "item": continue
        if not isinstance(v, dict) or key not in v: raise SystemExit("unknown TT expression: " + e)
        v = v[key]
    return v
src = sys.stdin.read()
toks = re.split(r"(\[%-?.*?-?%\])", src, flags=re.S)
# chomping
for i in range(1, len(toks), 2):
    t = toks[i]
    if t.startswith("[%-"): toks[i-1] = re.sub(r"\n?[ \t]*$", "", toks[i-1], count=1)
    if t.endswith("-%]"): toks[i+1] = re.sub(r"^[ \t]*\n?", "", toks[i+1], count=1)
out, stack = [], [True]
for i, t in enumerate(toks):
    if i % 2 == 0:
        if all(stack): out.append(t)
        continue
    d = t[2:-2].strip("-").strip()
    if d.startswith("IF "): stack.append(bool(ev(d[3:])) if all(stack) else False)
    elif d == "ELSE": stack[-1] = (not stack[-1]) and all(stack[:-1]) if len(stack) > 1 else not stack[-1]
    elif d == "END": stack.pop()
    elif all(stack):
        v = ev(d); out.append("" if v is None else str(v))
sys.stdout.write("".join(out))
' > "$O/$f"
done
