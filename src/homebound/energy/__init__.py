"""Smart charging: the car charges from the home's solar surplus and cheap hours, within the house's fuse.

Pure decisions (tariffs, the sun, the surplus regulator, the household limit, the planner, departures, the
ledger of sessions) and the controller that reads the site through the hub and acts only through
`Hub.command`. Depends on `model` and `hub` only; adapters and the app wire it to the world.
"""
