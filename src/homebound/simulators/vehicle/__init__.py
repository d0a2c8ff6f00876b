"""A simulated electric car: route driving, energy physics, charging, cabin, and actuators that answer commands."""
