-- The closed camera network in the registry: each camera (known by its gateway and id), its zones, and the duty
-- officers who answer for each zone.
CREATE TABLE cameras (
    gateway TEXT NOT NULL,
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    name TEXT,
    grp TEXT,
    PRIMARY KEY (gateway, id));
CREATE TABLE camera_zones (
    gateway TEXT NOT NULL,
    camera TEXT NOT NULL,
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    name TEXT,
    PRIMARY KEY (gateway, camera, id),
    FOREIGN KEY (gateway, camera) REFERENCES cameras(gateway, id) ON DELETE CASCADE);
CREATE TABLE zone_officers (
    gateway TEXT NOT NULL,
    camera TEXT NOT NULL,
    zone TEXT NOT NULL,
    position INTEGER NOT NULL,
    officer TEXT NOT NULL,
    PRIMARY KEY (gateway, camera, zone, position),
    FOREIGN KEY (gateway, camera, zone) REFERENCES camera_zones(gateway, camera, id) ON DELETE CASCADE);
