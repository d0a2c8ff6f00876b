"""The VSS paths Homebound itself reads or writes, named once: the simulator, the car's Home Assistant
publisher, car events, location tracking and the safety interlocks (`hub/safety/`) all use these constants.
"""

from __future__ import annotations

SPEED = "Vehicle.Speed"
IS_MOVING = "Vehicle.IsMoving"
TRAVELED_DISTANCE = "Vehicle.TraveledDistance"
ACCELERATION = "Vehicle.Acceleration.Longitudinal"
VIN = "Vehicle.VehicleIdentification.VIN"
MODEL = "Vehicle.VehicleIdentification.Model"

LATITUDE = "Vehicle.CurrentLocation.Latitude"
LONGITUDE = "Vehicle.CurrentLocation.Longitude"
ACCURACY = "Vehicle.CurrentLocation.HorizontalAccuracy"
HEADING = "Vehicle.CurrentLocation.Heading"
LOCATION = (LATITUDE, LONGITUDE, ACCURACY)

PARK_LOCK = "Vehicle.Powertrain.Transmission.IsParkLockEngaged"
SELECTED_GEAR = "Vehicle.Powertrain.Transmission.SelectedGear"
CURRENT_GEAR = "Vehicle.Powertrain.Transmission.CurrentGear"
RANGE = "Vehicle.Powertrain.Range"

BATTERY = "Vehicle.Powertrain.TractionBattery"
SOC = f"{BATTERY}.StateOfCharge.Current"
SOC_DISPLAYED = f"{BATTERY}.StateOfCharge.Displayed"
BATTERY_POWER = f"{BATTERY}.CurrentPower"
BATTERY_RANGE = f"{BATTERY}.Range"
ENERGY_CONSUMED = f"{BATTERY}.AccumulatedConsumedEnergy"
ENERGY_CHARGED = f"{BATTERY}.AccumulatedChargedEnergy"
CHARGING = f"{BATTERY}.Charging"
IS_CHARGING = f"{CHARGING}.IsCharging"
CHARGE_LIMIT = f"{CHARGING}.ChargeLimit"
CHARGE_MAX_POWER = f"{CHARGING}.MaxPower"
START_STOP_CHARGING = f"{CHARGING}.StartStopCharging"
PLUGGED = f"{CHARGING}.ChargingPort.AnyPosition.IsChargingCableConnected"
CHARGE_CURRENT_DC = f"{CHARGING}.ChargeCurrent.DC"
CHARGE_CURRENT_PHASE1 = f"{CHARGING}.ChargeCurrent.Phase1"

CABIN_TEMPERATURE = "Vehicle.Cabin.HVAC.AmbientAirTemperature"
OUTSIDE_TEMPERATURE = "Vehicle.Exterior.AirTemperature"
DRIVER_TEMPERATURE = "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature"
AIR_CONDITIONING = "Vehicle.Cabin.HVAC.IsAirConditioningActive"
TRUNK_OPEN = "Vehicle.Body.Trunk.Rear.IsOpen"

DOORS = tuple(f"Vehicle.Cabin.Door.Row{row}.{side}" for row in (1, 2) for side in ("DriverSide", "PassengerSide"))
"""The branches of the four doors a passenger car has (`<door>.IsLocked`, `<door>.IsOpen`, `<door>.Window...`)."""

NAVIGATION_DESTINATION = "Vehicle.Cabin.Infotainment.Navigation.DestinationSet"
DESTINATION_LATITUDE = f"{NAVIGATION_DESTINATION}.Latitude"
DESTINATION_LONGITUDE = f"{NAVIGATION_DESTINATION}.Longitude"
"""Where the car's navigation should take it (VSS 6.0; actuators), set from a phone's shared waypoint."""
GEAR_PARK = 126
"""`SelectedGear` in park (VSS: 0 neutral, 1.. forward, -1.. reverse, 126 park, 127 drive)."""
GEAR_DRIVE = 127

REMOTE_START = "Vehicle.Private.Homebound.RemoteStart.IsActive"
"""VSS 6.0 has no remote start: Homebound's overlay defines this actuator (true: started remotely, ready to drive
without the key in the car); see examples/overlays/remote_start.yaml and docs/configuration.md."""
