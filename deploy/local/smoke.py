#!/usr/bin/env python3
"""Smoke test of a running local cluster (deploy/local/cluster.sh start), through the proxy, standard library only:
sign in at agency-tax (password), SSO at agency-health (no password), RP-initiated logout, then check that both
stand-in agencies on :7001 and :7002 received a back-channel logout token with their own sid and sub, and that a
session-bound refresh token is refused afterwards. Prints what it saw; run: python3 deploy/local/smoke.py"""
import base64, hashlib, http.cookiejar, http.server, json, os, re, threading, urllib.parse, urllib.request, html
ISS = "http://127.0.0.1:8080"
received = {}
class Bcl(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        tok = urllib.parse.parse_qs(body)["logout_token"][0]
        hdr, payload = [json.loads(base64.urlsafe_b64decode(p + "==")) for p in tok.split(".")[:2]]
        received.setdefault(self.server.server_port, []).append((hdr, payload))
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
for port in (7001, 7002):
    s = http.server.HTTPServer(("127.0.0.1", port), Bcl); threading.Thread(target=s.serve_forever, daemon=True).start()

jar = http.cookiejar.CookieJar()
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a): return None
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
nodes = []
def req(url, data=None):
    r = urllib.request.Request(url if url.startswith("http") else ISS + url, data=urllib.parse.urlencode(data).encode() if data else None)
    try: resp = opener.open(r)
    except urllib.error.HTTPError as e: resp = e
    nodes.append(resp.headers.get("X-OnePass-Node"))
    return resp
def follow(url, data=None, stop="127.0.0.1:700"):
    resp = req(url, data)
    while resp.status in (301, 302, 303) and stop not in resp.headers["Location"]:
        resp = req(urllib.parse.urljoin(ISS, resp.headers["Location"]))
    return resp
def form_fields(page):
    return {html.unescape(n): html.unescape(v) for n, v in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)}
def sign_in(client, secret, redirect):
    verifier = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    q = urllib.parse.urlencode(dict(client_id=client, redirect_uri=redirect, response_type="code", scope="openid profile",
        state="s", nonce="n", code_challenge=challenge, code_challenge_method="S256"))
    resp = follow("/connect/authorize?" + q); asked_password = False
    for _ in range(3):
        if resp.status in (301, 302, 303): break
        page = resp.read().decode(); fields = form_fields(page); action = resp.url
        if 'name="password"' in page:
            asked_password = True; fields.update(username="citizen1", password="a long passphrase")
        elif 'name="decision"' in page:
            fields["decision"] = "allow"
        resp = follow(action, fields)
    code = urllib.parse.parse_qs(urllib.parse.urlparse(resp.headers["Location"]).query)["code"][0]
    basic = base64.b64encode(f"{client}:{secret}".encode()).decode()
    t = urllib.request.Request(ISS + "/connect/token", data=urllib.parse.urlencode(dict(grant_type="authorization_code", code=code,
        redirect_uri=redirect, code_verifier=verifier)).encode(), headers={"Authorization": "Basic " + basic})
    tokens = json.load(urllib.request.urlopen(t))
    idt = json.loads(base64.urlsafe_b64decode(tokens["id_token"].split(".")[1] + "=="))
    return tokens, idt, asked_password
tax, tax_id, p1 = sign_in("agency-tax", "local-cluster-only-secret-for-agency-tax-0001", "http://127.0.0.1:7001/signin-oidc")
health, health_id, p2 = sign_in("agency-health", "local-cluster-only-secret-for-agency-health-01", "http://127.0.0.1:7002/signin-oidc")
print("password asked at tax:", p1, "| at health (SSO):", p2, "| nodes seen:", sorted(set(n for n in nodes if n)))
print("sid tax != sid health:", tax_id["sid"] != health_id["sid"], "| sub differ:", tax_id["sub"] != health_id["sub"])
resp = follow("/connect/endsession?" + urllib.parse.urlencode(dict(id_token_hint=tax["id_token"], post_logout_redirect_uri="http://127.0.0.1:7001/signout-callback-oidc", state="bye")))
print("end session ->", resp.status, resp.headers.get("Location"))
import time; time.sleep(3)
for port, items in sorted(received.items()):
    for hdr, p in items:
        print(port, "typ", hdr["typ"], "alg", hdr["alg"], "sid ok", p["sid"] == (tax_id if port == 7001 else health_id)["sid"], "sub ok", p["sub"] == (tax_id if port == 7001 else health_id)["sub"], "events", list(p["events"]), "nonce" in p)
r = urllib.request.Request(ISS + "/connect/token", data=urllib.parse.urlencode(dict(grant_type="refresh_token", refresh_token=tax["refresh_token"])).encode(),
    headers={"Authorization": "Basic " + base64.b64encode(b"agency-tax:local-cluster-only-secret-for-agency-tax-0001").decode()})
try: urllib.request.urlopen(r); print("session-bound refresh after logout: accepted (WRONG)")
except urllib.error.HTTPError as e: print("session-bound refresh after logout:", e.code, json.load(e)["error"])
