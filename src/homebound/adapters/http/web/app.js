// The Homebound page: polls the REST API once a second. No framework, no tiles: the map is drawn in SVG.
// Everything shown is built as DOM nodes with textContent: a device name or a log line is text, never markup
// (the page's Content-Security-Policy forbids inline script as well).
"use strict";
const api = (path, options) => fetch(`/api/v1${path}`, options).then((r) => r.json());
const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
let vehicle = null;
let mapData = { zones: [], routes: {} };
const track = [];

function fmt(value, digits = 0) { return typeof value === "number" ? value.toFixed(digits) : "–"; }

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child);  // strings become text nodes
  return node;
}

function svgEl(tag, attributes = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

async function refreshCar() {
  if (!vehicle) {
    const vehicles = await api("/vehicles");
    vehicle = vehicles[0] && vehicles[0].id;
    $("car-id").textContent = vehicle || "";
    mapData = await api("/map");
    const past = await api(`/vehicles/${encodeURIComponent(vehicle)}/track?limit=5000`);
    track.push(...past.points.map((p) => [p.latitude, p.longitude]));
  }
  if (!vehicle) return;
  const body = await api(`/vehicles/${encodeURIComponent(vehicle)}/signals/Vehicle`);
  const v = Object.fromEntries(body.signals.map((s) => [s.path, s.value]));
  const charging = "Vehicle.Powertrain.TractionBattery.Charging.";
  $("speed").textContent = `${fmt(v["Vehicle.Speed"])} km/h`;
  $("soc").textContent = `${fmt(v["Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"], 1)} %`;
  $("range").textContent = `${fmt((v["Vehicle.Powertrain.Range"] || 0) / 1000)} km`;
  const power = v["Vehicle.Powertrain.TractionBattery.CurrentPower"];
  $("charging").textContent = v[charging + "IsCharging"] ? `${fmt(power / 1000, 1)} kW`
    : (v[charging + "ChargingPort.AnyPosition.IsChargingCableConnected"] ? "plugged" : "no");
  $("cabin").textContent = `${fmt(v["Vehicle.Cabin.HVAC.AmbientAirTemperature"], 1)} °C`;
  $("locked").textContent = v["Vehicle.Cabin.Door.Row1.DriverSide.IsLocked"] ? "locked" : "unlocked";
  const lat = v["Vehicle.CurrentLocation.Latitude"], lon = v["Vehicle.CurrentLocation.Longitude"];
  if (typeof lat === "number" && typeof lon === "number") {
    const last = track[track.length - 1];
    if (!last || last[0] !== lat || last[1] !== lon) track.push([lat, lon]);
    drawMap([lat, lon]);
  }
}

function drawMap(car) {
  const points = [...track, car];
  for (const zone of mapData.zones) points.push([zone.latitude, zone.longitude]);
  for (const route of Object.values(mapData.routes)) points.push(...route);
  const lats = points.map((p) => p[0]), lons = points.map((p) => p[1]);
  const pad = 0.002, minLat = Math.min(...lats) - pad, maxLat = Math.max(...lats) + pad;
  const minLon = Math.min(...lons) - pad, maxLon = Math.max(...lons) + pad;
  const scaleX = Math.cos((minLat + maxLat) / 2 * Math.PI / 180);
  const spanX = (maxLon - minLon) * scaleX, spanY = maxLat - minLat, span = Math.max(spanX, spanY * 600 / 360);
  const xy = ([la, lo]) => [((lo - minLon) * scaleX) / span * 600, 360 - ((la - minLat) / (span * 360 / 600)) * 360];
  const line = (pts) => pts.map((p) => xy(p).map((n) => n.toFixed(1)).join(",")).join(" ");
  const shapes = [];
  for (const route of Object.values(mapData.routes)) {
    shapes.push(svgEl("polyline", { points: line(route), fill: "none", stroke: "#c8cfc2", "stroke-width": 8,
                                    "stroke-linejoin": "round" }));
  }
  for (const zone of mapData.zones) {
    const [x, y] = xy([zone.latitude, zone.longitude]);
    const r = zone.radius / 111320 / (span * 360 / 600) * 360;
    shapes.push(svgEl("circle", { cx: x, cy: y, r: Math.max(r, 6), fill: "#1f7a5a22", stroke: "#1f7a5a" }));
    const label = svgEl("text", { x: x + 8, y: y - 8, "font-size": 12, fill: "#1f7a5a" });
    label.textContent = zone.name || zone.id;
    shapes.push(label);
  }
  shapes.push(svgEl("polyline", { id: "track", points: line(track), fill: "none", stroke: "#2b5fb5",
                                  "stroke-width": 3 }));
  const [cx, cy] = xy(car);
  shapes.push(svgEl("circle", { id: "car", cx, cy, r: 7, fill: "#b5452b", stroke: "#fff", "stroke-width": 2 }));
  $("map").replaceChildren(...shapes);
}

async function sendCommand(device, path, value) {
  await api(`/devices/${encodeURIComponent(device)}/commands`, {
    method: "POST", headers: { "content-type": "application/json", "x-homebound-principal": "web" },
    body: JSON.stringify({ path, target: value }),
  });
  setTimeout(refreshDevices, 300);
}

function button(testId, text, value, device, path, on = false) {
  const node = el("button", { "data-testid": testId, class: on ? "on" : "" }, text);
  node.addEventListener("click", () => sendCommand(device, path, value));
  return node;
}

function controls(device, path, point) {
  if (point.kind !== "actuator") return [];
  const id = `${device}-${path}`.replace(/[^A-Za-z0-9-]/g, "-");
  if (point.datatype === "boolean") {
    const on = point.value === true;
    return [button(`toggle-${id}`, on ? "turn off" : "turn on", !on, device, path, on)];
  }
  if (point.allowed) {
    return point.allowed.map((choice) => button(`set-${id}-${choice}`, String(choice), choice, device, path));
  }
  return [];
}

function deviceCard(d) {
  const heading = el("h3", {}, String(d.name ?? d.id),
                     el("span", { class: d.online ? "online" : "offline" }, d.online ? "online" : "offline"));
  const points = Object.entries(d.datapoints).filter(([p]) => !p.startsWith("Availability")).map(([path, point]) => {
    const value = el("b", { "data-testid": `value-${d.id}-${path}` }, point.value === null ? "–" : String(point.value));
    const unit = point.unit ? [el("span", {}, String(point.unit))] : [];
    return el("span", { class: "point", "data-testid": `point-${d.id}-${path}` },
              path.split(".").slice(-2).join("."), value, ...unit, ...controls(d.id, path, point));
  });
  return el("div", { class: "device", "data-testid": `device-${d.id}` }, heading, ...points);
}

async function refreshDevices() {
  const devices = await api("/devices");
  if (!devices.length) return;
  const details = await Promise.all(devices.map((d) => api(`/devices/${encodeURIComponent(d.id)}`)));
  $("devices").replaceChildren(...details.map(deviceCard));
}

async function refreshLog() {
  const entries = await api("/activity?limit=60");
  $("log").replaceChildren(...entries.reverse().map((e) =>
    el("div", { class: String(e.kind) }, `${new Date(e.ts * 1000).toLocaleTimeString()} ${e.kind} ${e.text}`)));
}

async function tick() {
  try {
    await Promise.all([refreshCar(), refreshDevices(), refreshLog()]);
    $("status").textContent = `live · ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    $("status").textContent = `hub not reachable (${error})`;
  }
}
tick();
setInterval(tick, 1000);
