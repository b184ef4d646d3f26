"""A minimal Apollo config client as Apollo's published protocol describes it (the "other language client"
guide): signed requests (Authorization: Apollo {appId}:{base64 HMAC-SHA1(secret, timestamp\\npath?query)},
Timestamp: ms), /configs, /configfiles, /notifications/v2. Standard library only."""
import base64
import hashlib
import hmac
import http.client
import json
import time
import urllib.parse


def signature(secret, timestamp, path_with_query):
    mac = hmac.new(secret.encode(), f"{timestamp}\n{path_with_query}".encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


class ApolloClient:
    def __init__(self, port, meta_path, app_id, secret, cluster="default"):
        self.port, self.meta_path, self.app_id, self.secret, self.cluster = port, meta_path, app_id, secret, cluster

    def get(self, path, timeout=10, secret=None, timestamp=None, sign=True, sign_path=None):
        """(status, body text) of GET meta_path + path, signed unless sign=False."""
        full = self.meta_path + path
        headers = {}
        if sign:
            ts = str(timestamp if timestamp is not None else int(time.time() * 1000))
            headers["Timestamp"] = ts
            headers["Authorization"] = (f"Apollo {self.app_id}:"
                                        f"{signature(secret or self.secret, ts, sign_path or full)}")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", full, headers=headers)
            r = conn.getresponse()
            return r.status, r.read().decode()
        finally:
            conn.close()

    def configs(self, namespace, release_key=None, **kw):
        q = f"?releaseKey={urllib.parse.quote(release_key)}" if release_key else ""
        return self.get(f"/configs/{self.app_id}/{self.cluster}/{namespace}{q}", **kw)

    def notifications(self, ids, timeout=10, **kw):
        notes = json.dumps([{"namespaceName": ns, "notificationId": i} for ns, i in ids.items()])
        q = urllib.parse.urlencode({"appId": self.app_id, "cluster": self.cluster, "notifications": notes})
        return self.get(f"/notifications/v2?{q}", timeout=timeout, **kw)
