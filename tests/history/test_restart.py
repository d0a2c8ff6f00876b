"""A restart of the hub in the middle of a drive or a charge: one session, with the same figures as without it.

Graceful (the open sessions are saved at stop) and not (the hub dies; what the periodic checkpoints saved is
all there is), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa

from tests.history.conftest import IS_CHARGING, T0, Story, ac_charge, commute
from tests.history.test_messy import CLEAN, figures


async def test_a_drive_across_a_restart_is_one_drive(story: Story) -> None:
    batches = commute()
    story.send([b for b in batches if b[0] <= 360])
    again = await story.restarted()
    try:
        again.send([b for b in batches if b[0] > 360])
        drives = await again.drives()
        assert len(drives) == 1 and figures(drives[0]) == CLEAN
        assert [n for n in again.names() if n.startswith("drive")] == ["drive_started", "drive_ended"]
        track = await again.carlog.queries.drive_track("car1", str(drives[0]["id"]))
        assert len(track) == 201
    finally:
        await again.stop()


async def test_a_drive_across_a_crash_is_one_drive(story: Story) -> None:
    batches = commute()
    story.send([b for b in batches if b[0] <= 365])   # checkpoints every 30 s of data: the last at +361
    await story.carlog.writer.flush()
    again = await story.crashed()
    try:
        again.send([b for b in batches if b[0] > 365])
        drives = await again.drives()
        assert len(drives) == 1
        # Odometer and held power carry the drive across what the crash lost; the new temperature (+365) comes
        # back with the hub's last values, but is held from the last checkpoint (+361): 4 s at 6 °C, not 4 °C.
        assert figures(drives[0]) == {**CLEAN, "outside_temp_c": 5.01}
    finally:
        await again.stop()


async def test_a_charge_across_a_restart_is_one_session(story: Story) -> None:
    batches = ac_charge(0, 30, soc=60.0, limit=70)
    t, last = batches[-1]
    batches[-1] = (t, {**last, IS_CHARGING: False})
    story.send(batches[:15])
    again = await story.restarted()
    try:
        again.send([*batches[15:], (1900, {IS_CHARGING: False})])
        charges = await again.charges()
        assert len(charges) == 1
        session = charges[0]
        assert (session["start_ts"], session["end_ts"], session["energy_added_kwh"]) == (T0 + 10, T0 + 1810, 6.0)
        assert (session["end_reason"], session["cost"]) == ("limit_reached", 3.54)   # 6 kWh anywhere: 0.59
        assert [n for n in again.names() if n.startswith("charge")] == ["charge_started", "charge_ended"]
    finally:
        await again.stop()


async def test_a_parked_car_after_a_restart_keeps_its_parked_period(story: Story) -> None:
    story.send(commute())
    again = await story.restarted()
    try:
        current = await again.carlog.queries.current("car1")
        parked = current["parked"]
        assert isinstance(parked, dict) and parked["start_ts"] == T0 + 670 and parked["zone"] == "work"
    finally:
        await again.stop()


async def test_a_damaged_saved_state_is_a_warning_and_a_fresh_start(story: Story) -> None:
    story.send([b for b in commute() if b[0] <= 360])
    await story.stop()
    with story.database.engine.begin() as connection:
        connection.execute(sa.text(
            "UPDATE open_sessions SET state_json = '{\"drive\": {\"id\": 1, \"start_ts\": \"soon\"}}'"))
    story.database.dispose()
    again = Story(story.url, story.config)
    warnings = await again.carlog.start()
    try:
        assert warnings and "damaged" in warnings[0]
        again.send([b for b in commute(start=1000)])
        assert len(await again.drives()) == 1          # the next drive is told as usual
    finally:
        await again.stop()
