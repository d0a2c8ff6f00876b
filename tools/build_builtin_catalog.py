"""Regenerate `src/homebound/model/data/vss_builtin.json`, the built-in catalog: every leaf of a VSS release.

The facts (path, kind, datatype, unit, min, max, allowed) are copied from an official VSS JSON export; the
descriptions are Homebound's own: written by hand below for the signals Homebound's features use, and for every
other leaf composed from its path, kind, datatype and unit (`describe`), never from the standard's text.
Run from the project root:

    python tools/build_builtin_catalog.py ../shared/data/vss/vss_release_6.0.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

FACT_KEYS = ("datatype", "type", "unit", "min", "max", "allowed")

DOOR_SIDES = {"Row1.DriverSide": "front driver-side", "Row1.PassengerSide": "front passenger-side",
              "Row2.DriverSide": "rear driver-side", "Row2.PassengerSide": "rear passenger-side"}
HVAC_SEATS = {"Row1.Driver": "driver", "Row1.Passenger": "front passenger",
              "Row2.Driver": "rear left", "Row2.Passenger": "rear right"}
WHEELS = {"Row1.Wheel.Left": "front left", "Row1.Wheel.Right": "front right",
          "Row2.Wheel.Left": "rear left", "Row2.Wheel.Right": "rear right"}

DESCRIPTIONS: dict[str, str] = {
    "Vehicle.Speed": "How fast the car is going over the ground.",
    "Vehicle.AverageSpeed": "Mean speed since the current drive began.",
    "Vehicle.IsMoving": "True while the wheels are turning.",
    "Vehicle.TraveledDistance": "Odometer: total distance the car has covered in its life.",
    "Vehicle.TraveledDistanceSinceStart": "Distance covered since the car was last switched on.",
    "Vehicle.TripMeterReading": "Resettable trip counter.",
    "Vehicle.StartTime": "When the car was last switched on.",
    "Vehicle.Acceleration.Longitudinal": "Forward (positive) or braking (negative) acceleration.",
    "Vehicle.Acceleration.Lateral": "Sideways acceleration, positive to the left.",
    "Vehicle.Acceleration.Vertical": "Up and down acceleration.",
    "Vehicle.CurbWeight": "Weight of the empty car, ready to drive.",
    "Vehicle.GrossWeight": "Maximum permitted laden weight.",
    "Vehicle.CurrentOverallWeight": "Weight of the car as it is now, load included.",
    "Vehicle.Length": "Overall length of the body.",
    "Vehicle.Height": "Overall height of the body.",
    "Vehicle.WidthExcludingMirrors": "Body width without the mirrors.",
    "Vehicle.CurrentLocation.Latitude": "Where the car is: latitude (WGS 84).",
    "Vehicle.CurrentLocation.Longitude": "Where the car is: longitude (WGS 84).",
    "Vehicle.CurrentLocation.Altitude": "Height of the car above sea level.",
    "Vehicle.CurrentLocation.Heading": "Direction of travel, clockwise from true north.",
    "Vehicle.CurrentLocation.HorizontalAccuracy": "How far off the position fix may be, horizontally.",
    "Vehicle.CurrentLocation.VerticalAccuracy": "How far off the altitude may be.",
    "Vehicle.CurrentLocation.Timestamp": "When the position fix was taken.",
    "Vehicle.CurrentLocation.GNSSReceiver.FixType": "Quality of the satellite fix (none, 2D, 3D, augmented).",
    "Vehicle.Powertrain.Type": "What drives the car: combustion, hybrid or electric.",
    "Vehicle.Powertrain.Range": "Distance the car can still cover with what it has left.",
    "Vehicle.Powertrain.Transmission.CurrentGear": "Gear engaged now: 0 neutral, negative reverse, positive forward.",
    "Vehicle.Powertrain.Transmission.SelectedGear": "Gear the driver asked for; 126 is park, 127 drive.",
    "Vehicle.Powertrain.Transmission.IsParkLockEngaged": "True while the park lock holds the car.",
    "Vehicle.Powertrain.Transmission.PerformanceMode": "Driving mode chosen by the driver.",
    "Vehicle.Powertrain.Transmission.DriveType": "Which wheels are driven.",
    "Vehicle.Powertrain.ElectricMotor.Power": "Power the motor delivers now; negative while regenerating.",
    "Vehicle.Powertrain.ElectricMotor.Torque": "Torque at the motor shaft; negative while regenerating.",
    "Vehicle.Powertrain.ElectricMotor.Speed": "Motor shaft speed.",
    "Vehicle.Powertrain.ElectricMotor.Temperature": "Temperature of the motor.",
    "Vehicle.Powertrain.ElectricMotor.MaxPower": "Highest power the motor can deliver.",
    "Vehicle.Powertrain.ElectricMotor.MaxRegenPower": "Highest power the motor can recover when braking.",
    "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current": "How full the high-voltage battery is, as the "
    "battery management system computes it.",
    "Vehicle.Powertrain.TractionBattery.StateOfCharge.Displayed": "Battery charge as the dashboard shows it.",
    "Vehicle.Powertrain.TractionBattery.StateOfCharge.CurrentEnergy": "Energy stored in the battery now.",
    "Vehicle.Powertrain.TractionBattery.Range": "Distance the battery's charge still allows.",
    "Vehicle.Powertrain.TractionBattery.CurrentPower": "Battery power: positive when charging, negative when "
    "it drives the car.",
    "Vehicle.Powertrain.TractionBattery.CurrentVoltage": "Voltage across the battery terminals.",
    "Vehicle.Powertrain.TractionBattery.CurrentCurrent": "Current through the battery: positive when charging.",
    "Vehicle.Powertrain.TractionBattery.Temperature.Average": "Mean temperature of the battery cells.",
    "Vehicle.Powertrain.TractionBattery.Temperature.Min": "Coldest cell temperature.",
    "Vehicle.Powertrain.TractionBattery.Temperature.Max": "Hottest cell temperature.",
    "Vehicle.Powertrain.TractionBattery.Temperature.CellTemperature": "Temperature of each cell, in cell order.",
    "Vehicle.Powertrain.TractionBattery.StateOfHealth": "Remaining capacity compared with a new battery.",
    "Vehicle.Powertrain.TractionBattery.GrossCapacity": "Total energy the battery can hold when new.",
    "Vehicle.Powertrain.TractionBattery.NetCapacity": "Usable energy of the battery today.",
    "Vehicle.Powertrain.TractionBattery.NominalVoltage": "Rated voltage of the battery.",
    "Vehicle.Powertrain.TractionBattery.AccumulatedChargedEnergy": "All energy ever charged into the battery.",
    "Vehicle.Powertrain.TractionBattery.AccumulatedConsumedEnergy": "All energy ever drawn from the battery.",
    "Vehicle.Powertrain.TractionBattery.TimeRemaining": "How long the battery lasts at today's consumption.",
    "Vehicle.Powertrain.TractionBattery.IsPowerConnected": "True while the battery is connected to the car.",
    "Vehicle.Powertrain.TractionBattery.PowerLoss": "Heat lost inside the battery.",
    "Vehicle.Powertrain.TractionBattery.ErrorCodes": "Fault codes the battery reports now.",
    "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit": "Charging stops when the battery reaches this level.",
    "Vehicle.Powertrain.TractionBattery.Charging.IsCharging": "True while energy flows into the battery.",
    "Vehicle.Powertrain.TractionBattery.Charging.IsDischarging": "True while the car feeds energy out "
    "(vehicle-to-home or -grid).",
    "Vehicle.Powertrain.TractionBattery.Charging.StartStopCharging": "Ask the car to start or stop charging.",
    "Vehicle.Powertrain.TractionBattery.Charging.ChargeRate": "Range gained per hour of charging at the "
    "current power.",
    "Vehicle.Powertrain.TractionBattery.Charging.AveragePower": "Mean charging power over the session.",
    "Vehicle.Powertrain.TractionBattery.Charging.MaxPower": "Highest charging power the car accepts now.",
    "Vehicle.Powertrain.TractionBattery.Charging.TimeToComplete": "Time left until the charge limit is reached.",
    "Vehicle.Powertrain.TractionBattery.Charging.Temperature": "Temperature of the charging electronics.",
    "Vehicle.Powertrain.TractionBattery.Charging.EvseId": "Identifier of the charging station in use.",
    "Vehicle.Powertrain.TractionBattery.Charging.ChargeCurrent.DC": "Direct current flowing in from a DC charger.",
    "Vehicle.Powertrain.TractionBattery.Charging.ChargeCurrent.Phase1": "Alternating current on phase 1.",
    "Vehicle.Powertrain.TractionBattery.Charging.ChargeVoltage.DC": "Voltage of a DC charger.",
    "Vehicle.Powertrain.TractionBattery.Charging.ChargeVoltage.Phase1": "Voltage on AC phase 1.",
    "Vehicle.Powertrain.TractionBattery.Charging.MaximumChargingCurrent.DC": "Highest DC current the car takes.",
    "Vehicle.Powertrain.TractionBattery.Charging.MaximumChargingCurrent.Phase1": "Highest AC current per phase.",
    "Vehicle.Powertrain.TractionBattery.Charging.ChargingPort.AnyPosition.IsChargingCableConnected":
        "True while a charging cable is plugged in.",
    "Vehicle.Powertrain.TractionBattery.Charging.ChargingPort.AnyPosition.IsChargingCableLocked":
        "True while the charging cable is locked in the port.",
    "Vehicle.Powertrain.TractionBattery.Charging.ChargingPort.AnyPosition.IsFlapOpen":
        "True while the charging port flap is open.",
    "Vehicle.Powertrain.TractionBattery.Charging.ChargingPort.AnyPosition.SupportedInletTypes":
        "Plug standards the car's port accepts.",
    "Vehicle.Powertrain.TractionBattery.Charging.Location.Latitude": "Where the car charges: latitude.",
    "Vehicle.Powertrain.TractionBattery.Charging.Location.Longitude": "Where the car charges: longitude.",
    "Vehicle.Powertrain.TractionBattery.Charging.Timer.Mode": "Whether the timer sets when charging starts or "
    "by when it ends.",
    "Vehicle.Powertrain.TractionBattery.Charging.Timer.Time": "The time the charging timer aims at.",
    "Vehicle.Cabin.HVAC.AmbientAirTemperature": "Air temperature inside the cabin.",
    "Vehicle.Cabin.HVAC.IsAirConditioningActive": "Cabin climate control on or off.",
    "Vehicle.Cabin.HVAC.IsFrontDefrosterActive": "Windscreen demister on or off.",
    "Vehicle.Cabin.HVAC.IsRearDefrosterActive": "Rear window demister on or off.",
    "Vehicle.Cabin.HVAC.IsRecirculationActive": "Whether cabin air is recirculated instead of drawn from outside.",
    "Vehicle.Cabin.Sunroof.Position": "How far the sunroof is open (negative: tilted).",
    "Vehicle.Cabin.Sunroof.Switch": "Ask the sunroof to open, close or tilt.",
    "Vehicle.Cabin.Light.IsDomeOn": "Ceiling light on or off.",
    "Vehicle.Cabin.Light.PerceivedAmbientLight": "How bright the cabin is.",
    "Vehicle.Cabin.Seat.Row1.DriverSide.HeatingCooling": "Driver seat heating (positive) or cooling (negative).",
    "Vehicle.Cabin.Seat.Row1.PassengerSide.HeatingCooling": "Front passenger seat heating or cooling.",
    "Vehicle.Body.Hood.IsOpen": "True while the bonnet is open.",
    "Vehicle.Body.Trunk.Rear.IsOpen": "True while the boot is open.",
    "Vehicle.Body.Trunk.Rear.IsLocked": "True while the boot is locked.",
    "Vehicle.Body.Trunk.Front.IsOpen": "True while the front storage compartment is open.",
    "Vehicle.Body.Trunk.Front.IsLocked": "True while the front storage compartment is locked.",
    "Vehicle.Body.Horn.IsActive": "True while the horn sounds.",
    "Vehicle.Body.Lights.LightSwitch": "Position of the main light switch.",
    "Vehicle.Body.Lights.Beam.Low.IsOn": "Dipped headlights on or off.",
    "Vehicle.Body.Lights.Beam.High.IsOn": "Main-beam headlights on or off.",
    "Vehicle.Body.Lights.Fog.Front.IsOn": "Front fog lights on or off.",
    "Vehicle.Body.Lights.Fog.Rear.IsOn": "Rear fog light on or off.",
    "Vehicle.Body.Lights.Parking.IsOn": "Parking lights on or off.",
    "Vehicle.Body.Lights.Running.IsOn": "Daytime running lights on or off.",
    "Vehicle.Body.Lights.Hazard.IsSignaling": "Hazard warning lights flashing.",
    "Vehicle.Body.Lights.Brake.IsActive": "Brake lights lit, normally or in emergency (adaptive) mode.",
    "Vehicle.Body.Lights.DirectionIndicator.Left.IsSignaling": "Left indicator flashing.",
    "Vehicle.Body.Lights.DirectionIndicator.Right.IsSignaling": "Right indicator flashing.",
    "Vehicle.Body.Mirrors.DriverSide.IsFolded": "Driver-side mirror folded in.",
    "Vehicle.Body.Mirrors.PassengerSide.IsFolded": "Passenger-side mirror folded in.",
    "Vehicle.Body.Windshield.Front.IsHeatingOn": "Heated windscreen on or off.",
    "Vehicle.Body.Windshield.Front.Wiping.Mode": "Speed or mode of the front wipers.",
    "Vehicle.Body.Windshield.Front.WasherFluid.Level": "Washer fluid left in the reservoir.",
    "Vehicle.Body.Windshield.Front.WasherFluid.IsLevelLow": "True when the washer fluid needs topping up.",
    "Vehicle.Body.Windshield.Rear.IsHeatingOn": "Heated rear window on or off.",
    "Vehicle.Body.Raindetection.Intensity": "How hard it rains, as the rain sensor sees it.",
    "Vehicle.Chassis.ParkingBrake.IsEngaged": "True while the parking brake holds.",
    "Vehicle.Chassis.SteeringWheel.Angle": "Steering wheel angle; positive turns left.",
    "Vehicle.Chassis.Accelerator.PedalPosition": "How far the accelerator pedal is pressed.",
    "Vehicle.Chassis.Brake.PedalPosition": "How far the brake pedal is pressed.",
    "Vehicle.Exterior.AirTemperature": "Outside air temperature.",
    "Vehicle.Exterior.Humidity": "Outside relative humidity.",
    "Vehicle.Exterior.LightIntensity": "How bright it is outside.",
    "Vehicle.LowVoltageBattery.CurrentVoltage": "Voltage of the 12 V battery; low values mean it is draining.",
    "Vehicle.LowVoltageBattery.CurrentCurrent": "Current through the 12 V battery.",
    "Vehicle.LowVoltageBattery.NominalVoltage": "Rated voltage of the 12 V battery.",
    "Vehicle.LowVoltageBattery.NominalCapacity": "Rated capacity of the 12 V battery.",
    "Vehicle.VehicleIdentification.VIN": "The 17-character vehicle identification number.",
    "Vehicle.VehicleIdentification.WMI": "Maker code: the first three characters of the VIN.",
    "Vehicle.VehicleIdentification.Brand": "The make of the car.",
    "Vehicle.VehicleIdentification.Model": "The model name.",
    "Vehicle.VehicleIdentification.Year": "Model year.",
    "Vehicle.VehicleIdentification.LicensePlate": "Number plate.",
    "Vehicle.VehicleIdentification.VehicleExteriorColor": "Paint colour.",
    "Vehicle.VehicleIdentification.BodyType": "Body style (saloon, estate, SUV...).",
    "Vehicle.VehicleIdentification.VehicleModelDate": "Release date of the model.",
    "Vehicle.Service.DistanceToService": "Distance left before the next service is due.",
    "Vehicle.Service.TimeToService": "Time left before the next service is due.",
    "Vehicle.Service.IsServiceDue": "True when a service is due.",
    "Vehicle.Connectivity.IsConnectivityAvailable": "True while the car can reach the network.",
    "Vehicle.Trailer.IsConnected": "True while a trailer is hitched.",
    "Vehicle.VersionVSS.Major": "Major version of VSS the car speaks.",
    "Vehicle.VersionVSS.Minor": "Minor version of VSS the car speaks.",
    "Vehicle.VersionVSS.Patch": "Patch version of VSS the car speaks.",
    "Vehicle.VersionVSS.Label": "Release label of VSS the car speaks.",
}

for _key, _where in DOOR_SIDES.items():
    _door = f"Vehicle.Cabin.Door.{_key}"
    DESCRIPTIONS[f"{_door}.IsOpen"] = f"True while the {_where} door is open."
    DESCRIPTIONS[f"{_door}.IsLocked"] = f"True while the {_where} door is locked."
    DESCRIPTIONS[f"{_door}.IsChildLockActive"] = f"Child lock of the {_where} door engaged."
    DESCRIPTIONS[f"{_door}.Window.IsOpen"] = f"True while the {_where} window is not fully closed."
    DESCRIPTIONS[f"{_door}.Window.Position"] = f"How far the {_where} window is open; 0 is closed."
for _key, _where in HVAC_SEATS.items():
    _station = f"Vehicle.Cabin.HVAC.Station.{_key}"
    DESCRIPTIONS[f"{_station}.Temperature"] = f"Temperature the climate control aims at for the {_where} seat."
    DESCRIPTIONS[f"{_station}.FanSpeed"] = f"Blower speed at the {_where} seat."
    DESCRIPTIONS[f"{_station}.AirDistribution"] = f"Where the air goes at the {_where} seat."
for _key, _where in WHEELS.items():
    _tire = f"Vehicle.Chassis.Axle.{_key}.Tire"
    DESCRIPTIONS[f"{_tire}.Pressure"] = f"Inflation pressure of the {_where} tyre."
    DESCRIPTIONS[f"{_tire}.IsPressureLow"] = f"Warning: the {_where} tyre is under-inflated."
    DESCRIPTIONS[f"{_tire}.Temperature"] = f"Temperature of the {_where} tyre."


def find(tree: dict[str, object], path: str) -> dict[str, object]:
    node: dict[str, object] = {"children": tree}
    for name in path.split("."):
        children = node.get("children")
        if not isinstance(children, dict) or name not in children:
            raise SystemExit(f"{path}: not in the export")
        node = children[name]
    return node


def insert(tree: dict[str, object], path: str, leaf: dict[str, object]) -> None:
    names = path.split(".")
    children = tree
    for name in names[:-1]:
        branch = children.setdefault(name, {"type": "branch", "description": "", "children": {}})
        assert isinstance(branch, dict)
        children = branch["children"]
    children[names[-1]] = leaf


ACRONYMS = {"ABS", "ADAS", "AC", "DC", "ECU", "ESC", "EBA", "EBD", "HVAC", "VIN", "WMI", "GNSS", "OBD", "DTC",
            "TCS", "CO2", "LED", "HMI", "VSS", "USB", "SoC", "SOC", "DBC", "ISO", "PM", "EV", "LKA", "ACC", "ID",
            "RPM", "NOx", "LPG", "CNG", "UI", "ECO", "FCW", "AEB", "TPMS", "VRM"}
INSTANCE_WORDS = {"DriverSide": "driver side", "PassengerSide": "passenger side", "Driver": "driver",
                  "Passenger": "passenger", "Left": "left", "Right": "right", "Middle": "middle",
                  "Front": "front", "Rear": "rear", "Pos1": "position 1", "Pos2": "position 2",
                  "Pos3": "position 3", "Pos4": "position 4", "Pos5": "position 5"}
UNIT_WORDS = {"km/h": "kilometres per hour", "m": "metres", "km": "kilometres", "mm": "millimetres",
              "cm": "centimetres", "s": "seconds", "min": "minutes", "h": "hours", "ms": "milliseconds",
              "percent": "percent", "Celsius": "degrees Celsius", "degrees": "degrees", "V": "volts",
              "A": "amperes", "W": "watts", "kW": "kilowatts", "kWh": "kilowatt-hours", "Nm": "newton-metres",
              "rpm": "revolutions per minute", "kPa": "kilopascals", "l": "litres", "kg": "kilograms",
              "m/s^2": "metres per second squared", "degrees/s": "degrees per second", "g/km": "grams per km",
              "l/100km": "litres per 100 km", "ml": "millilitres", "Hz": "hertz", "lx": "lux",
              "iso8601": "ISO 8601 time", "unix-time": "seconds since 1970", "ppm": "parts per million",
              "mbar": "millibars", "inch": "inches", "cm^3": "cubic centimetres", "kWh/100km":
              "kilowatt-hours per 100 km", "mV": "millivolts", "mA": "milliamperes", "dBm": "decibel-milliwatts",
              "Wh/km": "watt-hours per km", "ug/m^3": "micrograms per cubic metre", "mm/h": "millimetres an hour",
              "km/kWh": "km per kilowatt-hour", "Ah": "ampere-hours", "g/s": "grams per second", "bar": "bars",
              "mph": "miles per hour", "mi": "miles", "l/h": "litres an hour", "N": "newtons"}


def _instance(name: str) -> str | None:
    if name in INSTANCE_WORDS:
        return INSTANCE_WORDS[name]
    for prefix, word in (("Row", "row"), ("Pos", "position"), ("Zone", "zone"), ("Sensor", "sensor")):
        if name.startswith(prefix) and name[len(prefix):].isdigit():
            return f"{word} {name[len(prefix):]}"
    return None


def _words(name: str) -> str:
    """`IsChargingCableConnected` -> `charging cable connected`; acronyms keep their capitals."""
    parts: list[str] = []
    token = ""
    for index, char in enumerate(name):
        boundary = char.isupper() and token and (not token[-1].isupper() or (
            index + 1 < len(name) and name[index + 1].islower()))
        if boundary or (char.isdigit() and token and not token[-1].isdigit()):
            parts.append(token)
            token = ""
        token += char
    if token:
        parts.append(token)
    return " ".join(p if p in ACRONYMS or (p.isupper() and len(p) > 1) else p.lower() for p in parts)


def describe(path: str, node: dict[str, object]) -> str:
    """A description in our own words, composed from the path, kind, datatype and unit."""
    names = path.split(".")[1:]
    leaf = names[-1]
    branches = [n for n in names[:-1] if _instance(n) is None]
    where = [_instance(n) for n in names[:-1] if _instance(n) is not None]
    subject = " ".join(_words(n) for n in branches[-2:]) or "vehicle"
    if where:
        subject += f" ({', '.join(w for w in where if w)})"
    datatype = str(node.get("datatype", ""))
    kind = node.get("type")
    if datatype == "boolean" and leaf.startswith("Is") and len(leaf) > 2:
        text = f"True when the {subject} reports {_words(leaf[2:])}."
    elif datatype == "boolean":
        text = f"On/off state of {_words(leaf)} for the {subject}."
    else:
        text = f"{_words(leaf).capitalize()} of the {subject}"
        unit = node.get("unit")
        if isinstance(unit, str) and unit:
            text += f", in {UNIT_WORDS.get(unit, unit)}"
        if datatype.endswith("[]"):
            text += ", one entry per element"
        text += "."
    if kind == "actuator":
        text += " Settable by command."
    elif kind == "attribute":
        text += " A fixed property of this car."
    return text


def leaves(tree: dict[str, object], prefix: str = "") -> list[tuple[str, dict[str, object]]]:
    found: list[tuple[str, dict[str, object]]] = []
    for name, node in tree.items():
        assert isinstance(node, dict)
        path = f"{prefix}.{name}" if prefix else name
        if node.get("type") == "branch":
            children = node.get("children", {})
            assert isinstance(children, dict)
            found += leaves(children, path)
        else:
            found.append((path, node))
    return found


def main(export: str) -> None:
    source = json.loads(Path(export).read_text(encoding="utf-8"))
    out: dict[str, object] = {}
    for path in DESCRIPTIONS:
        find(source, path)  # a hand-written description of a path the release lacks is a mistake here
    written = 0
    for path, node in leaves(source):
        leaf = {key: node[key] for key in FACT_KEYS if key in node}
        leaf["description"] = DESCRIPTIONS.get(path) or describe(path, node)
        if leaf["description"] == node.get("description"):
            raise SystemExit(f"{path}: our description equals the standard's; write another")
        insert(out, path, leaf)
        written += 1
    target = Path("src/homebound/model/data/vss_builtin.json")
    target.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {written} signals to {target} ({len(DESCRIPTIONS)} described by hand)")


if __name__ == "__main__":
    main(sys.argv[1])
