"""Manufacturing maintenance-log samples: a classification task and a summarisation task.

Everything is generated from a seed with `random.Random`, so the same call always returns the same records
(tests, the demo and benchmarks can rely on it). The text mixes class keywords with shared noise (machine ids,
shift notes, work orders, downtime) and, for some entries, a "checked, OK" remark about another subsystem, so
a model has to learn which part of the entry carries the root cause rather than spotting a single word.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from tuneline.common.records import PromptTemplate

MAINTENANCE_LABELS: tuple[str, ...] = (
    "hydraulic",
    "electrical",
    "mechanical",
    "lubrication",
    "sensor_fault",
    "software",
    "pneumatic",
)

_SYMPTOMS: dict[str, tuple[str, ...]] = {
    "hydraulic": (
        "hydraulic pressure dropped to {bar} bar during clamp",
        "oil leak at cylinder rod seal, puddle under ram",
        "hyd pump whining, pressure fluctuating {bar}-{bar2} bar",
        "accumulator precharge low, slow ram return",
        "hose burst on return line near manifold",
        "proportional valve sticking, ram drifts down",
        "hydraulic oil temp {temp}C, above limit",
        "clamp force not reached, HPU relief valve chattering",
    ),
    "electrical": (
        "main breaker tripped twice on motor start",
        "contactor K{num} burnt contacts, intermittent drive",
        "24V supply dropping out, panel lights flicker",
        "servo drive overcurrent fault on axis {axis}",
        "earth fault detected on spindle motor cable",
        "fuse F{num} blown in control cabinet",
        "loose terminal on X{num} found warm, re-torqued",
        "VFD undervoltage alarm, mains dip suspected",
    ),
    "mechanical": (
        "belt slipping on drive pulley, squeal at startup",
        "bearing noise on gearbox output shaft, vibration {vib} mm/s",
        "coupling worn, visible backlash on axis {axis}",
        "chain stretched on conveyor, jumps sprocket",
        "ball screw backlash {mic} um on axis {axis}",
        "cracked bracket on gripper arm, welded temporary",
        "spindle runout {mic} um, chatter marks on parts",
        "misaligned guide rail, carriage binding",
    ),
    "lubrication": (
        "central lube system low level alarm, reservoir empty",
        "way lube not reaching X axis, dry guideways",
        "grease nipple blocked on main bearing",
        "lube pump cycle missed, no pressure at distributor",
        "oil mist separator saturated, lube starved spindle",
        "auto greaser cartridge empty on conveyor bearings",
        "wrong grease grade used on gearbox, overheating",
        "lubrication interval overdue by {hours} h",
    ),
    "sensor_fault": (
        "proximity sensor B{num} not switching, part present ignored",
        "thermocouple reading {temp}C while zone is cold, open circuit",
        "encoder signal lost on axis {axis}, position error",
        "light curtain false trips with no obstruction",
        "pressure transducer stuck at 0 bar",
        "photo eye dirty, missed counts on infeed",
        "limit switch S{num} bouncing, double triggers",
        "load cell drift {mic} g overnight, recalibration needed",
    ),
    "software": (
        "PLC watchdog timeout, program stopped in step {num}",
        "HMI froze after recipe change, needed reboot",
        "wrong recipe loaded after firmware update v{ver}",
        "NC program checksum error on load",
        "robot controller stuck in init after patch {ver}",
        "SCADA lost connection to PLC, tags stale",
        "parameter set reverted to defaults after power cycle",
        "batch counter overflow bug, counts reset at {num}",
    ),
    "pneumatic": (
        "air pressure {bar} bar at header, below 6 bar spec",
        "solenoid valve Y{num} leaking air, cylinder creeping",
        "gripper cylinder slow, FRL filter clogged",
        "air hose cut near rotary union, loud hiss",
        "vacuum cup not holding, ejector weak",
        "compressor dryer fault, water in air lines",
        "pneumatic clamp not closing fully, regulator drifted",
        "quick coupling leaking on tool changer air",
    ),
}

_ACTIONS: dict[str, tuple[str, ...]] = {
    "hydraulic": (
        "replaced seal kit",
        "topped up HLP46 oil",
        "swapped hose and bled system",
        "recharged accumulator with N2",
        "cleaned valve spool",
    ),
    "electrical": (
        "replaced contactor",
        "re-terminated cable",
        "changed fuse and checked load",
        "megger test on motor done",
        "reset drive, logged fault",
    ),
    "mechanical": (
        "replaced bearing",
        "re-tensioned belt",
        "realigned rail",
        "ordered new coupling",
        "adjusted backlash comp",
    ),
    "lubrication": (
        "refilled reservoir",
        "cleared blocked line",
        "greased all points",
        "replaced lube pump",
        "corrected grease type",
    ),
    "sensor_fault": (
        "replaced sensor",
        "cleaned lens",
        "re-seated connector",
        "recalibrated",
        "adjusted sensing distance",
    ),
    "software": (
        "reloaded program from backup",
        "rolled back firmware",
        "restarted controller",
        "restored parameters",
        "raised ticket with vendor",
    ),
    "pneumatic": (
        "replaced solenoid",
        "changed filter element",
        "re-set regulator to 6 bar",
        "fixed air leak",
        "drained water traps",
    ),
}

# Remarks about a subsystem that was checked and found fine: they name another class's vocabulary without
# being the cause, which is the ambiguity a keyword matcher gets wrong.
_CHECKED_OK: dict[str, tuple[str, ...]] = {
    "hydraulic": ("hyd pressure checked OK", "no oil leaks seen"),
    "electrical": ("wiring checked, no faults", "breaker OK"),
    "mechanical": ("bearings sound fine", "belt tension OK"),
    "lubrication": ("lube level OK", "greasing done last week"),
    "sensor_fault": ("sensors all reading normal", "encoder OK"),
    "software": ("PLC program unchanged", "no alarms on HMI"),
    "pneumatic": ("air pressure normal", "no air leaks"),
}

_MACHINES = ("CNC", "PRESS", "INJ", "CONV", "WELD-R", "PKG", "MIX", "LATHE", "ROBOT", "PAINT")
_SHIFTS = ("A-shift", "B-shift", "night shift", "early shift", "late shift", "weekend crew")
_EXTRAS = (
    "line down {mins} min",
    "handed over to day shift",
    "parts ordered",
    "monitor next shift",
    "operator reported it",
    "production resumed",
    "QA informed",
    "{mins} min lost",
    "spare taken from stores",
    "",
)
_TEMPLATES = (
    "{ts} {machine} [{shift}] {symptom}. {action}. {extra}",
    "WO-{wo} {machine}: {symptom}; {action}. Tech {tech}.",
    "{shift} note - {machine} alarm {code}: {symptom}, {action}. {extra}",
    "{machine} down {mins} min. Cause: {symptom}. {action}.",
    "{machine} {symptom} ({shift}). {extra}. {action}",
)


def maintenance_template(labels: Sequence[str] = MAINTENANCE_LABELS) -> PromptTemplate:
    """The demo use case's prompt template, as its intake form defines it (task description, labels)."""
    return PromptTemplate(instruction="Classify this maintenance log entry.", labels=list(labels), input_name="Entry")


def classification_prompt(text: str, labels: Sequence[str] = MAINTENANCE_LABELS) -> str:
    """The demo's user turn for one log entry (what a client of the demo's served model sends)."""
    return maintenance_template(labels).render(text)


def maintenance_classification(n: int = 400, seed: int = 0) -> list[dict[str, str]]:
    """`n` classification records {"text", "label"}, labels balanced round-robin then shuffled."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    rng = random.Random(seed)
    labels = [MAINTENANCE_LABELS[i % len(MAINTENANCE_LABELS)] for i in range(n)]
    rng.shuffle(labels)
    return [{"text": _log_entry(rng, label), "label": label} for label in labels]


def _log_entry(rng: random.Random, label: str) -> str:
    symptom = _fill(rng, rng.choice(_SYMPTOMS[label]), label)
    action = rng.choice(_ACTIONS[label])
    if rng.random() < 0.25:
        other = rng.choice([lab for lab in MAINTENANCE_LABELS if lab != label])
        action = f"{rng.choice(_CHECKED_OK[other])}, {action}"
    text = rng.choice(_TEMPLATES).format(
        ts=_timestamp(rng),
        machine=_machine(rng),
        shift=rng.choice(_SHIFTS),
        symptom=symptom,
        action=action,
        extra=_fill(rng, rng.choice(_EXTRAS), label),
        wo=rng.randint(10000, 99999),
        tech=f"{rng.choice('ABCDEFGHJKLMNPRSTW')}{rng.choice('ABCDEFGHJKLMNPRSTW')}",
        code=f"{rng.choice('EAF')}{rng.randint(100, 9999)}",
        mins=rng.choice((5, 10, 15, 20, 30, 45, 60, 90, 120)),
    )
    return _noise(rng, " ".join(text.split()).rstrip(". ") + ".")


def _fill(rng: random.Random, template: str, label: str) -> str:
    hydraulic = label == "hydraulic"  # hydraulics run at tens of bar, shop air below 6
    return template.format(
        bar=rng.randint(40, 90) if hydraulic else rng.randint(3, 5),
        bar2=rng.randint(90, 200),
        temp=rng.randint(55, 400),
        num=rng.randint(1, 48),
        axis=rng.choice("XYZABC"),
        vib=round(rng.uniform(4.5, 14.0), 1),
        mic=rng.randint(8, 90),
        hours=rng.randint(12, 300),
        ver=f"{rng.randint(1, 9)}.{rng.randint(0, 20)}",
        mins=rng.choice((5, 10, 15, 20, 30, 45, 60)),
    )


def _machine(rng: random.Random) -> str:
    return f"{rng.choice(_MACHINES)}-{rng.randint(1, 24):02d}"


def _timestamp(rng: random.Random) -> str:
    moment = datetime(2025, 1, 6, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 60 * 24 * 300))
    return moment.strftime("%Y-%m-%d %H:%M")


def _noise(rng: random.Random, text: str) -> str:
    """Shop-floor writing: some entries are all lower case or use abbreviations."""
    roll = rng.random()
    if roll < 0.15:
        return text.lower()
    if roll < 0.25:
        for long, short in (("replaced", "repl."), ("checked", "chk'd"), ("pressure", "press."), ("minutes", "min")):
            text = text.replace(long, short)
    return text


# --- summarisation ("summarise quality issues from machine logs") -------------------------------------------

_DEFECTS: tuple[tuple[str, str], ...] = (
    ("burrs on edges", "tool wear"),
    ("bore diameter out of tolerance", "thermal drift"),
    ("porosity in castings", "gas entrapment"),
    ("short shots", "low injection pressure"),
    ("flash on parting line", "mould wear"),
    ("surface scratches", "damaged conveyor guide"),
    ("weld spatter", "wrong wire feed speed"),
    ("paint runs", "excess film thickness"),
    ("cracked housings", "over-torque at assembly"),
    ("missing labels", "label printer misfeed"),
)
_SUMMARY_INSTRUCTION = "Summarise the quality issues in these machine log lines in one or two sentences."


def quality_summaries(n: int = 120, seed: int = 0) -> list[dict[str, str]]:
    """`n` instruction records {"prompt", "completion"}: a log excerpt and the summary of its quality issues."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    rng = random.Random(seed)
    records = []
    for _ in range(n):
        excerpt, summary, _worst = _quality_case(rng)
        records.append({"prompt": f"{_SUMMARY_INSTRUCTION}\n\n{excerpt}", "completion": summary})
    return records


def quality_summary_conversations(n: int = 60, seed: int = 0) -> list[dict[str, list[dict[str, str]]]]:
    """`n` conversational records; every other one has a follow-up turn asking for the costliest issue."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    rng = random.Random(seed)
    records = []
    for i in range(n):
        excerpt, summary, worst = _quality_case(rng)
        messages = [
            {"role": "system", "content": "You are a quality engineer's assistant on a production line."},
            {"role": "user", "content": f"{_SUMMARY_INSTRUCTION}\n\n{excerpt}"},
            {"role": "assistant", "content": summary},
        ]
        if i % 2 == 1:
            messages += [
                {"role": "user", "content": "Which issue scrapped the most parts?"},
                {"role": "assistant", "content": worst},
            ]
        records.append({"messages": messages})
    return records


def _quality_case(rng: random.Random) -> tuple[str, str, str]:
    machine = _machine(rng)
    shift = rng.choice(_SHIFTS)
    issues = rng.sample(_DEFECTS, rng.randint(1, 3))
    counts = [rng.randint(2, 40) for _ in issues]
    start = datetime(2025, 3, 3, 6, tzinfo=UTC) + timedelta(hours=rng.randint(0, 24 * 200))
    lines = []
    minute = 0
    for (defect, cause), count in zip(issues, counts, strict=True):
        minute += rng.randint(7, 95)
        stamp = (start + timedelta(minutes=minute)).strftime("%H:%M")
        lines.append(f"{stamp} {machine} QC: {defect}, {count} parts scrapped; suspected {cause}.")
        if rng.random() < 0.6:
            minute += rng.randint(3, 40)
            stamp = (start + timedelta(minutes=minute)).strftime("%H:%M")
            lines.append(f"{stamp} {machine} {rng.choice(_ROUTINE)}")
    total = sum(counts)
    parts = "; ".join(f"{d} ({c} scrapped, likely {cause})" for (d, cause), c in zip(issues, counts, strict=True))
    summary = f"{machine}, {shift}: {len(issues)} quality issue{'s' if len(issues) > 1 else ''}: {parts}. "
    summary += f"Total scrap {total} parts."
    worst_index = max(range(len(counts)), key=lambda i: (counts[i], -i))
    worst = f"{issues[worst_index][0].capitalize()}: {counts[worst_index]} parts."
    return f"Shift: {shift}\n" + "\n".join(lines), summary, worst


_ROUTINE = (
    "cycle time nominal.",
    "operator changeover complete.",
    "first-off part approved.",
    "material lot changed.",
    "coolant topped up.",
    "SPC chart within limits.",
)
