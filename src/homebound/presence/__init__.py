"""The household's people: where each member is (home, away, in a zone, approaching, in which room, near the
car), from their phones (OwnTracks) and Bluetooth tags (ESPresense), and what follows from it: the phone as the
car's key, the car telling the family, a destination sent from a phone to the car."""
