"""Schemathesis hooks for Steward: path parameters name live records.

Generated ids would only ever reach the 404 branch of each route. The test creates a change, an
incident, a problem and a CI first and passes their ids in the environment; every `{id}` and
`{key}` of a path is replaced with the live record of that path's family, so the fuzzed bodies and
queries reach the code that acts on real objects.
"""
import os

import schemathesis

LIVE = {
    "/api/changes/": os.environ.get("STEWARD_LIVE_CHANGE"),
    "/api/incidents/": os.environ.get("STEWARD_LIVE_INCIDENT"),
    "/api/problems/": os.environ.get("STEWARD_LIVE_PROBLEM"),
}
LIVE_CI = os.environ.get("STEWARD_LIVE_CI")


@schemathesis.hook
def map_path_parameters(ctx, path):
    if not path:
        return path
    template = ctx.operation.path
    for prefix, live in LIVE.items():
        if template.startswith(prefix) and "id" in path and live:
            path["id"] = live
    if "key" in path and LIVE_CI:
        path["key"] = LIVE_CI
    return path
