"""Groups the failures of a conformance report (JSON) by the Nova behaviour
behind each, for the published verdict on Nova's fake.

    python verdict.py REPORT.json            # the Markdown table (README)
    python verdict.py REPORT.json --list     # one line per failing case

Each failure is classed by the first difference the suite reported (its
`expected` and `got`); the classes name what Nova's fake does.
"""

import json
import re
import sys

# (class, what Nova's fake does), tried in order on "expected || got".
CLASSES = [
    (r"\d+ vCPU, 0 KiB|0 vCPU, 0 KiB",
     "get_info reports the power state only: Nova's InstanceInfo carries no memory or vCPU "
     "figures, so every snapshot of a running instance differs"),
    (r"events = \[\]|events to the current listener|events to the first listener: \[\(.*\|\| \[\]$",
     "no lifecycle event is ever emitted"),
    (r"get_info of [^:]+: (paused|suspended|running, rescued|shutdown, soft-deleted)\b.*\|\| running",
     "pause, suspend, rescue and soft_delete are no-ops: the instance stays running"),
    (r"get_info of [^:]+: shutdown \|\| running",
     "migrate_disk_and_power_off does not power the instance off"),
    (r"InsufficientResources\) \|\| Ok",
     "no capacity check: spawn, finish_migration and the destination check never refuse"),
    (r"ReadOnly\) \|\| Ok|read-only backend",
     "the read_only flag is accepted and ignored"),
    (r"InvalidInput\) \|\| Ok",
     "no input validation (names, paths, mountpoints, destinations, migration records)"),
    (r"InstanceNotFound\) \|\| Err\(InterfaceDetachFailed",
     "interfaces are one host-wide dict by VIF id: a detach from an unknown instance is "
     "InterfaceDetachFailed"),
    (r"(InstanceNotFound|NodeNotFound)\) \|\| Ok|get_console_output .* = Ok",
     "unknown instances and nodes are accepted (pause, plug_vifs, console output, volumes, spawn "
     "on any node)"),
    (r"(InvalidState|InstanceNotRunning|InstanceExists)\) \|\| Ok",
     "no state preconditions: calls that need a running (or absent) instance succeed anyway"),
    (r"(DeviceBusy|VolumeNotFound)\) \|\| Ok",
     "volumes are a dict by mountpoint: a busy mountpoint is overwritten, a missing one ignored"),
    (r"task-state callbacks",
     "snapshot reports IMAGE_UPLOADING only, never IMAGE_PENDING_UPLOAD"),
    (r"the instance's disks",
     "migrate_disk_and_power_off returns no disk information"),
    (r"not in list_instance_uuids",
     "live_migration leaves the instance listed on the source"),
    (r"ephemeral .* swap",
     "spawn claims root_gb only, not ephemeral and swap"),
]


def first_difference(case):
    return f"{case.get('expected', '')} || {case.get('got', case.get('message', ''))}"


def classify(case):
    text = first_difference(case)
    for pattern, nova in CLASSES:
        if re.search(pattern, text):
            return nova
    return "other: " + text[:160]


def main():
    report = json.load(open(sys.argv[1]))
    failed = [c for c in report["cases"] if c["verdict"] in ("fail", "error")]
    if "--list" in sys.argv:
        for case in failed:
            print(f"{case['id']}  # {classify(case)}")
        return
    groups = {}
    for case in failed:
        groups.setdefault(classify(case), []).append(case["id"])
    print("| what Nova's fake does | cases | e.g. |")
    print("|---|---|---|")
    for nova, ids in sorted(groups.items(), key=lambda g: -len(g[1])):
        print(f"| {nova} | {len(ids)} | `{ids[0]}` |")


if __name__ == "__main__":
    main()
