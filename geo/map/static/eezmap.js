/* eezmap's own additions to Leaflet for the standalone map (MIT, written for
 * this project; no third-party code).  Needs Leaflet 1.9 as window.L.
 *
 * Every string this script puts into the page as HTML was HTML-escaped in
 * Python (geo/map/html.py) before it was written into the map; numbers are
 * formatted here.  Nothing here fetches anything.
 *
 * State is per map (several maps on one page do not share it), nothing of
 * Leaflet is patched, and the only global is the function namespace
 * window.eezmap.  Timing is reported with the standard Performance API:
 * marks "eezmap-script" (this file parsed), "eezmap-setup:<map id>",
 * "eezmap-ready:<map id>" (every layer added) and "eezmap-drawn:<map id>"
 * (after the next paint), where <map id> is the map container's id.
 */
(function (window, document) {
  "use strict";
  var L = window.L;
  var RAD = Math.PI / 180;
  var E = {};
  window.performance.mark("eezmap-script");

  /* --- the spec format (written by geo/map/leaflet.py; the TypedDicts there are the same) ---
   *
   * @typedef {Object} Item  one shape of a group
   * @property {"polygon"|"line"|"circle"|"marker"|"label"} type
   * @property {string[][]|string} [geometry]  polygon: [[outer, hole, ...], ...] encoded rings;
   *     line: one encoded line (Google's Encoded Polyline Algorithm Format, lat/lon x scale)
   * @property {number} [scale]  10 ** decimals of the encoded coordinates (default: the group's, or 1e5)
   * @property {number[]} [latlng]  [lat, lon] of a circle, marker or label
   * @property {string} [style]  a key of the group's styles (Leaflet path options)
   * @property {Object} [options]  more Leaflet options of this item
   * @property {string} [popup]  escaped HTML of its popup
   * @property {string} [tooltip]  escaped HTML of its tooltip
   * @property {Object} [tooltipOptions]  Leaflet tooltip options
   * @property {string} [html]  a label's escaped HTML
   * @property {string} [className]  a label's extra CSS class
   * @property {string} [id]  the item's id, kept as the layer's options.itemId
   *
   * @typedef {Object} GroupSpec  one toggleable overlay
   * @property {string} id  kept as the feature group's options.groupId
   * @property {string} [pane]  the pane of its paths
   * @property {Object<string, Object>} [styles]  style name -> Leaflet path options
   * @property {number} [scale]  the default scale of its items
   * @property {string} [attribution]  escaped HTML
   * @property {Item[]} items
   *
   * @typedef {Object} PointsSpec  many points on one canvas
   * @property {number} scale  the coordinates are degrees x scale
   * @property {string} pane
   * @property {string} lat  base64 little-endian int32
   * @property {string} lon  base64 little-endian int32
   * @property {string} classes  base64 uint8: an index into colors and labels per point
   * @property {string[]} colors
   * @property {string[]} labels  escaped HTML
   * @property {number[]} drawOrder  classes in drawing order (last on top)
   * @property {string} title  escaped HTML of the popup heading
   * @property {string} note  escaped HTML
   * @property {string} attribution  escaped HTML
   *
   * @typedef {Object} Projection  the inset's: x = (lon - west) * xScale, y = (north - lat) * yScale
   * @property {number} west
   * @property {number} north
   * @property {number} xScale
   * @property {number} yScale
   * @property {number} width  of the SVG (px)
   * @property {number} height
   *
   * @typedef {Object} InsetSpec  the overview inset
   * @property {string} html  a ready-made SVG with a rect.eezmap-inset-view
   * @property {Projection} projection  equirectangular
   *
   * @typedef {Object} PanelSpec  a panel of ready-made HTML
   * @property {string} position  a Leaflet control corner
   * @property {string} className
   * @property {number} [foldBelow]  folded when the map is narrower than this (px)
   * @property {string} html  escaped HTML; a button.eezmap-toggle folds its .eezmap-body
   */

  // --- per-map state ---------------------------------------------------------------

  var states = new WeakMap();
  function state(map) {
    var s = states.get(map);
    if (!s) {
      s = {measuring: false, pointPicked: false};
      states.set(map, s);
    }
    return s;
  }
  function mark(map, what) {
    window.performance.mark("eezmap-" + what + ":" + map.getContainer().id);
  }

  // A popup that does not open while its map is measuring (a click on a zone is then a
  // measure point) nor when the click picked one of the canvas points.
  var GuardedPopup = L.Popup.extend({
    openOn: function (map) {
      var s = state(map);
      if (s.measuring || s.pointPicked) { return this; }
      return L.Popup.prototype.openOn.call(this, map);
    }
  });

  // --- compact geometry --------------------------------------------------------
  // Rings and lines are stored in Google's Encoded Polyline Algorithm Format
  // (zig-zag deltas of lat, lon scaled by k, in 5-bit chunks + 63).

  function decode(s, k) {
    var out = [], i = 0, n = s.length, lat = 0, lon = 0, b, r, sh;
    while (i < n) {
      r = 0; sh = 0;
      do { b = s.charCodeAt(i++) - 63; r |= (b & 31) << sh; sh += 5; } while (b >= 32);
      lat += (r & 1) ? ~(r >> 1) : (r >> 1);
      r = 0; sh = 0;
      do { b = s.charCodeAt(i++) - 63; r |= (b & 31) << sh; sh += 5; } while (b >= 32);
      lon += (r & 1) ? ~(r >> 1) : (r >> 1);
      out.push([lat / k, lon / k]);
    }
    return out;
  }
  E.decode = decode;

  // a MultiPolygon: [[outer, hole, ...], ...] of encoded rings
  function multi(g, k) {
    return g.map(function (poly) {
      return poly.map(function (ring) { return decode(ring, k); });
    });
  }

  function bytes(b64) {
    var bin = window.atob(b64), n = bin.length, u8 = new Uint8Array(n);
    for (var i = 0; i < n; i++) { u8[i] = bin.charCodeAt(i); }
    return u8;
  }
  // little-endian int32 arrays written by numpy ('<i4')
  function int32(b64) {
    var u8 = bytes(b64), dv = new DataView(u8.buffer), n = u8.length >> 2, out = new Int32Array(n);
    for (var i = 0; i < n; i++) { out[i] = dv.getInt32(4 * i, true); }
    return out;
  }

  // --- geodesy for the measure tool ------------------------------------------------
  // The only geodesy in the browser: the measure tool's points are wherever the
  // user clicks, so they cannot be computed in Python beforehand (every distance
  // the map states is, with pyproj).  Vincenty's inverse formula on the WGS84
  // ellipsoid (well under a metre from Karney's geodesics); the haversine on a
  // sphere of 6,371,008.8 m is the fallback for nearly antipodal points, where
  // Vincenty's iteration does not converge.

  function haversine(p, q) {
    var dlat = (q[0] - p[0]) * RAD, dlon = (q[1] - p[1]) * RAD;
    var h = Math.pow(Math.sin(dlat / 2), 2) +
      Math.cos(p[0] * RAD) * Math.cos(q[0] * RAD) * Math.pow(Math.sin(dlon / 2), 2);
    return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  function vincenty(p, q) {
    var a = 6378137, f = 1 / 298.257223563, b = a * (1 - f);
    var dl = (q[1] - p[1]) % 360;
    if (dl > 180) { dl -= 360; } else if (dl < -180) { dl += 360; }
    var L0 = dl * RAD;
    var U1 = Math.atan((1 - f) * Math.tan(p[0] * RAD)), U2 = Math.atan((1 - f) * Math.tan(q[0] * RAD));
    var sinU1 = Math.sin(U1), cosU1 = Math.cos(U1), sinU2 = Math.sin(U2), cosU2 = Math.cos(U2);
    var lambda = L0, prev, iter = 0, sinL, cosL, sinS, cosS, sigma, sinA, cos2A, cos2Sm, C;
    do {
      sinL = Math.sin(lambda); cosL = Math.cos(lambda);
      var t1 = cosU2 * sinL, t2 = cosU1 * sinU2 - sinU1 * cosU2 * cosL;
      sinS = Math.sqrt(t1 * t1 + t2 * t2);
      if (sinS === 0) { return 0; }
      cosS = sinU1 * sinU2 + cosU1 * cosU2 * cosL;
      sigma = Math.atan2(sinS, cosS);
      sinA = cosU1 * cosU2 * sinL / sinS;
      cos2A = 1 - sinA * sinA;
      cos2Sm = cos2A !== 0 ? cosS - 2 * sinU1 * sinU2 / cos2A : 0;
      C = f / 16 * cos2A * (4 + f * (4 - 3 * cos2A));
      prev = lambda;
      lambda = L0 + (1 - C) * f * sinA * (sigma + C * sinS * (cos2Sm + C * cosS * (-1 + 2 * cos2Sm * cos2Sm)));
    } while (Math.abs(lambda - prev) > 1e-12 && ++iter < 200);
    if (iter >= 200) { return haversine(p, q); }
    var u2 = cos2A * (a * a - b * b) / (b * b);
    var A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
    var B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
    var dS = B * sinS * (cos2Sm + B / 4 * (cosS * (-1 + 2 * cos2Sm * cos2Sm) -
      B / 6 * cos2Sm * (-3 + 4 * sinS * sinS) * (-3 + 4 * cos2Sm * cos2Sm)));
    return b * A * (sigma - dS);
  }

  // points along the great circle from p to q (spherical), for drawing only
  function greatCircle(p, q, n) {
    var la1 = p[0] * RAD, lo1 = p[1] * RAD, la2 = q[0] * RAD, lo2 = q[1] * RAD;
    var d = 2 * Math.asin(Math.min(1, Math.sqrt(Math.pow(Math.sin((la2 - la1) / 2), 2) +
      Math.cos(la1) * Math.cos(la2) * Math.pow(Math.sin((lo2 - lo1) / 2), 2))));
    if (d < 1e-9 || Math.abs(d - Math.PI) < 1e-9) { return [p, q]; }
    var out = [], i;
    for (i = 0; i <= n; i++) {
      var t = i / n, A = Math.sin((1 - t) * d) / Math.sin(d), B = Math.sin(t * d) / Math.sin(d);
      var x = A * Math.cos(la1) * Math.cos(lo1) + B * Math.cos(la2) * Math.cos(lo2);
      var y = A * Math.cos(la1) * Math.sin(lo1) + B * Math.cos(la2) * Math.sin(lo2);
      var z = A * Math.sin(la1) + B * Math.sin(la2);
      out.push([Math.atan2(z, Math.sqrt(x * x + y * y)) / RAD, Math.atan2(y, x) / RAD]);
    }
    out[0][1] = p[1];
    for (i = 1; i < out.length; i++) {  // keep longitudes continuous with the first point
      while (out[i][1] - out[i - 1][1] > 180) { out[i][1] -= 360; }
      while (out[i][1] - out[i - 1][1] < -180) { out[i][1] += 360; }
    }
    return out;
  }

  function fmt(x, d) {
    return x.toLocaleString("en-GB", {minimumFractionDigits: d, maximumFractionDigits: d});
  }

  function dms(v, pos, neg) {
    var h = v < 0 ? neg : pos, a = Math.abs(v), d = Math.floor(a), m = Math.floor((a - d) * 60);
    var s = Math.round(((a - d) * 60 - m) * 60);
    if (s === 60) { s = 0; m += 1; }
    if (m === 60) { m = 0; d += 1; }
    return d + "\u00b0" + (m < 10 ? "0" : "") + m + "\u2032" + (s < 10 ? "0" : "") + s + "\u2033" + h;
  }
  // the cursor may be on a copy of the world east or west of the first: name its longitude in -180..180
  function wrapLon(lon) { return ((lon + 180) % 360 + 360) % 360 - 180; }

  // --- setup ---------------------------------------------------------------------

  // Leaflet looks for its default marker image next to leaflet.css, which an
  // inlined stylesheet does not have: give it the images as data: URIs.
  E.icons = function (images) {
    L.Icon.Default.imagePath = "";
    L.Icon.Default.mergeOptions({
      iconUrl: images["marker-icon.png"],
      iconRetinaUrl: images["marker-icon-2x.png"],
      shadowUrl: images["marker-shadow.png"]
    });
  };

  // panes inside the overlay pane, drawn in the given order whatever is toggled
  E.panes = function (map, names) {
    mark(map, "setup");
    var parent = map.getPane("overlayPane");
    names.forEach(function (name, i) {
      var pane = map.getPane(name) || map.createPane(name, parent);
      pane.style.zIndex = String(i + 1);
    });
  };

  // --- layers --------------------------------------------------------------------

  /** @param {Item} it  @param {GroupSpec} spec */
  function item(it, spec) {
    var o = L.extend({}, (spec.styles && spec.styles[it.style]) || {}, it.options || {});
    var k = it.scale || spec.scale || 1e5, layer;
    if (spec.pane && !o.pane && it.type !== "marker" && it.type !== "label") { o.pane = spec.pane; }
    if (it.id) { o.itemId = it.id; }
    switch (it.type) {
      case "polygon": layer = L.polygon(multi(it.geometry, k), o); break;
      case "line": layer = L.polyline(decode(it.geometry, k), o); break;
      case "circle": layer = L.circleMarker(it.latlng, o); break;
      case "marker": layer = L.marker(it.latlng, o); break;
      case "label":
        layer = L.marker(it.latlng, L.extend({
          icon: L.divIcon({className: "eezmap-label " + (it.className || ""), html: it.html, iconSize: null}),
          interactive: false, keyboard: false
        }, o));
        break;
      default: return null;
    }
    if (it.popup) {
      layer.bindPopup(new GuardedPopup({maxWidth: 380, maxHeight: 360, autoPanPadding: [40, 40]}).setContent(it.popup));
    }
    if (it.tooltip) { layer.bindTooltip(it.tooltip, L.extend({}, it.tooltipOptions || {})); }
    return layer;
  }

  /** A feature group of polygons, lines, markers and labels.  @param {L.Map} map  @param {GroupSpec} spec */
  E.group = function (map, spec) {
    var o = {groupId: spec.id};
    if (spec.attribution) { o.attribution = spec.attribution; }
    var g = L.featureGroup([], o);
    (spec.items || []).forEach(function (it) {
      var layer = item(it, spec);
      if (layer) { g.addLayer(layer); }
    });
    return g;
  };

  /** Many points (AIS pings...) on one canvas, drawn in a loop: no Leaflet object
   * per point, so 300,000 stay smooth.  @param {L.Map} map  @param {PointsSpec} spec */
  E.points = function (map, spec) {
    var k = spec.scale, lat = int32(spec.lat), lon = int32(spec.lon), cls = bytes(spec.classes);
    var n = lat.length, X = new Float64Array(n), Y = new Float64Array(n), i;
    var maxLat = 85.0511287798;
    for (i = 0; i < n; i++) {  // EPSG:3857 pixel coordinates at zoom 0 (as Leaflet projects)
      var la = Math.max(-maxLat, Math.min(maxLat, lat[i] / k)), s = Math.sin(la * RAD);
      X[i] = 256 * (0.5 + lon[i] / k / 360);
      Y[i] = 256 * (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI));
    }
    // draw order: by class (the answer that matters most is drawn last, on top)
    var order = new Uint32Array(n), pos = 0;
    spec.drawOrder.forEach(function (c) {
      for (var j = 0; j < n; j++) { if (cls[j] === c) { order[pos++] = j; } }
    });
    var Layer = L.Layer.extend({
      options: {pane: spec.pane || "overlayPane", attribution: spec.attribution || null},
      count: n,     // points in the layer
      drawn: 0,     // points inside the view at the last draw
      onAdd: function (m) {
        this._canvas = L.DomUtil.create("canvas", "eezmap-points leaflet-zoom-hide");
        this.getPane().appendChild(this._canvas);
        m.on("moveend zoomend resize viewreset", this.redraw, this);
        // 'preclick' reaches the map even over a zone whose popup stops the 'click'
        m.on("preclick", this._click, this);
        this.redraw();
      },
      onRemove: function (m) {
        L.DomUtil.remove(this._canvas);
        m.off("moveend zoomend resize viewreset", this.redraw, this);
        m.off("preclick", this._click, this);
      },
      _frame: function () {
        var m = this._map, tl = m.containerPointToLayerPoint([0, 0]), o = m.getPixelOrigin();
        return {s: Math.pow(2, m.getZoom()), ox: o.x + tl.x, oy: o.y + tl.y, tl: tl};
      },
      redraw: function () {
        var m = this._map, size = m.getSize();
        var dpr = window.devicePixelRatio || 1, c = this._canvas, f = this._frame();
        L.DomUtil.setPosition(c, f.tl);
        c.width = Math.round(size.x * dpr); c.height = Math.round(size.y * dpr);
        c.style.width = size.x + "px"; c.style.height = size.y + "px";
        var ctx = c.getContext("2d");
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        ctx.clearRect(0, 0, size.x, size.y);
        var r = n > 50000 ? 1.5 : 3, arcs = n <= 50000, drawn = 0, cur = -1, j, x, y, q;
        ctx.globalAlpha = 0.85;
        for (j = 0; j < n; j++) {
          q = order[j];
          if (cls[q] !== cur) {
            if (cur >= 0) { ctx.fill(); }
            cur = cls[q]; ctx.fillStyle = spec.colors[cur]; ctx.beginPath();
          }
          x = X[q] * f.s - f.ox; y = Y[q] * f.s - f.oy;
          if (x < -r || y < -r || x > size.x + r || y > size.y + r) { continue; }
          if (arcs) { ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI); } else { ctx.rect(x - r, y - r, 2 * r, 2 * r); }
          drawn++;
        }
        if (cur >= 0) { ctx.fill(); }
        this.drawn = drawn;
        return this;
      },
      _click: function (e) {
        var m = this._map, st = state(m);
        if (st.measuring) { return; }
        var f = this._frame(), px = e.containerPoint.x, py = e.containerPoint.y, best = -1, bd = 64, d, dx, dy;
        for (var q = 0; q < n; q++) {
          dx = X[q] * f.s - f.ox - px; if (dx > 8 || dx < -8) { continue; }
          dy = Y[q] * f.s - f.oy - py; d = dx * dx + dy * dy;
          if (d <= bd) { bd = d; best = q; }
        }
        if (best < 0) { return; }
        var la = lat[best] / k, lo = lon[best] / k;
        st.pointPicked = true;  // this click is for the point, not for the zone under it
        window.setTimeout(function () {
          st.pointPicked = false;
          L.popup({maxWidth: 320}).setLatLng([la, lo]).setContent(
          "<div class=\"eezmap-popup\"><h4>" + spec.title + " #" + (best + 1) + "</h4>" +
          "<table><tr><th>Position</th><td>" + fmt(la, 5) + ", " + fmt(lo, 5) + "</td></tr>" +
          "<tr><th>Answer</th><td>" + spec.labels[cls[best]] + "</td></tr></table>" +
          "<p class=\"eezmap-src\">" + spec.note + "</p></div>").openOn(m);
        }, 0);
      }
    });
    return new Layer();
  };

  // --- controls ------------------------------------------------------------------

  /** A panel of ready-made (escaped) HTML; a .eezmap-toggle button folds its body.
   * @param {L.Map} map  @param {PanelSpec} opts */
  E.panel = function (map, opts) {
    var Panel = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "eezmap-panel " + (opts.className || ""));
        div.innerHTML = opts.html;
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        var btn = div.querySelector(".eezmap-toggle");
        function fold(folded) {
          div.classList.toggle("eezmap-folded", folded);
          btn.setAttribute("aria-expanded", folded ? "false" : "true");
          btn.textContent = folded ? "+" : "\u2212";
        }
        if (btn) {
          L.DomEvent.on(btn, "click", function () { fold(!div.classList.contains("eezmap-folded")); });
          if (opts.foldBelow && map.getSize().x < opts.foldBelow) { fold(true); }
        }
        return div;
      }
    });
    return new Panel({position: opts.position || "topright"}).addTo(map);
  };

  // a metric and a nautical-mile scale bar
  E.scale = function (map) {
    function round(x) {
      var p = Math.pow(10, Math.floor(Math.log(x) / Math.LN10)), d = x / p;
      return p * (d >= 10 ? 10 : d >= 5 ? 5 : d >= 3 ? 3 : d >= 2 ? 2 : 1);
    }
    var Scale = L.Control.Scale.extend({
      _addScales: function (options, className, container) {
        L.Control.Scale.prototype._addScales.call(this, options, className, container);
        this._nScale = L.DomUtil.create("div", className, container);
      },
      _updateScales: function (maxMeters) {
        L.Control.Scale.prototype._updateScales.call(this, maxMeters);
        if (!maxMeters) { return; }
        var maxNm = maxMeters / 1852, nm = round(maxNm);
        this._updateScale(this._nScale, (nm < 1 ? nm.toPrecision(1) : nm) + " NM", nm / maxNm);
      }
    });
    return new Scale({metric: true, imperial: false, maxWidth: 150, position: "bottomleft"}).addTo(map);
  };

  // the cursor's coordinates, decimal and degrees-minutes-seconds
  E.coords = function (map) {
    var Coords = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "eezmap-panel eezmap-coords");
        div.textContent = "Move the cursor over the map for its coordinates";
        map.on("mousemove", function (e) {
          var la = e.latlng.lat, lo = wrapLon(e.latlng.lng);
          div.textContent = fmt(Math.abs(la), 5) + "\u00b0" + (la < 0 ? "S" : "N") + ", " +
            fmt(Math.abs(lo), 5) + "\u00b0" + (lo < 0 ? "W" : "E") + "  (" + dms(la, "N", "S") + " " +
            dms(lo, "E", "W") + ")";
        });
        return div;
      }
    });
    return new Coords({position: "bottomleft"}).addTo(map);
  };

  /** The overview inset: a ready-made SVG whose rectangle follows the map's view.
   * @param {L.Map} map  @param {InsetSpec} opts */
  E.inset = function (map, opts) {
    var Inset = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "eezmap-panel eezmap-inset");
        div.innerHTML = opts.html;
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    var ctl = new Inset({position: "bottomleft"}).addTo(map), p = opts.projection;
    var rect = ctl.getContainer().querySelector(".eezmap-inset-view");
    function clamp(v, hi) { return Math.max(-2, Math.min(hi + 2, v)); }
    function update() {
      var b = map.getBounds();
      var x0 = clamp((b.getWest() - p.west) * p.xScale, p.width);
      var x1 = clamp((b.getEast() - p.west) * p.xScale, p.width);
      var y0 = clamp((p.north - b.getNorth()) * p.yScale, p.height);
      var y1 = clamp((p.north - b.getSouth()) * p.yScale, p.height);
      rect.setAttribute("x", x0.toFixed(1)); rect.setAttribute("y", y0.toFixed(1));
      rect.setAttribute("width", Math.max(2, x1 - x0).toFixed(1));
      rect.setAttribute("height", Math.max(2, y1 - y0).toFixed(1));
    }
    map.on("moveend zoomend resize", update);
    update();
    return ctl;
  };

  function button(container, html, title, onClick) {
    var a = L.DomUtil.create("a", "", container);
    a.href = "#";
    a.innerHTML = html;
    a.title = title;
    a.setAttribute("role", "button");
    a.setAttribute("aria-label", title);
    L.DomEvent.disableClickPropagation(a);
    L.DomEvent.on(a, "click", function (e) { L.DomEvent.preventDefault(e); onClick(a); });
    return a;
  }

  var ICON_FULL = "<svg viewBox=\"0 0 16 16\" width=\"16\" height=\"16\" aria-hidden=\"true\"><path d=\"M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\"/></svg>";
  var ICON_RULER = "<svg viewBox=\"0 0 16 16\" width=\"16\" height=\"16\" aria-hidden=\"true\"><path d=\"M1 11 11 1l4 4L5 15z\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.6\"/><path d=\"M4 8l2 2M6.5 5.5l1.5 1.5M9 3l2 2\" stroke=\"currentColor\" stroke-width=\"1.4\"/></svg>";

  // fullscreen: the browser's Fullscreen API, or a fixed full-window fallback
  E.fullscreen = function (map) {
    var el = map.getContainer();
    var Full = L.Control.extend({
      onAdd: function () {
        var bar = L.DomUtil.create("div", "leaflet-bar eezmap-buttons");
        button(bar, ICON_FULL, "Full screen (toggle)", function () {
          if (document.fullscreenElement) { document.exitFullscreen(); return; }
          if (el.requestFullscreen && !L.DomUtil.hasClass(el, "eezmap-fullwindow")) {
            el.requestFullscreen().catch(function () { L.DomUtil.addClass(el, "eezmap-fullwindow"); map.invalidateSize(); });
          } else {
            L.DomUtil[L.DomUtil.hasClass(el, "eezmap-fullwindow") ? "removeClass" : "addClass"](el, "eezmap-fullwindow");
            map.invalidateSize();
          }
        });
        document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });
        return bar;
      }
    });
    return new Full({position: "topleft"}).addTo(map);
  };

  // measure: click points; the total is the sum of WGS84 geodesics (Vincenty, above).
  // While it measures, the map's container has the class eezmap-measuring and the
  // result box shows the total in a <data value="metres"> element.
  E.measure = function (map) {
    var st = state(map), pts = [], group = L.layerGroup(), box, btn, dblZoom = map.doubleClickZoom.enabled();
    function km(m) { return fmt(m / 1000, m < 10000 ? 2 : 1) + " km"; }
    function nm(m) { return fmt(m / 1852, m < 18520 ? 2 : 1) + " NM"; }
    function redraw() {
      group.clearLayers();
      var total = 0, i, line = [];
      for (i = 0; i < pts.length; i++) {
        if (i > 0) {
          total += vincenty(pts[i - 1], pts[i]);
          var seg = greatCircle(pts[i - 1], pts[i], 48);
          if (line.length) { seg.shift(); }
          line = line.concat(seg);
        }
        L.circleMarker(pts[i], {radius: 4, color: "#111", weight: 2, fillColor: "#ffd60a", fillOpacity: 1,
          interactive: false, pane: "eezmapMeasure"}).addTo(group);
      }
      if (line.length) {
        L.polyline(line, {color: "#111", weight: 2.5, dashArray: "2 6", lineCap: "round", interactive: false,
          pane: "eezmapMeasure"}).addTo(group);
      }
      box.innerHTML = pts.length < 2
        ? "<strong>Measure</strong>: click points on the map; double-click or the ruler again to finish. Esc clears."
        : "<strong><data value=\"" + total.toFixed(3) + "\">" + km(total) + "</data></strong> = <strong>" +
          nm(total) + "</strong><br><span class=\"eezmap-src\">" + (pts.length - 1) + " segment" +
          (pts.length > 2 ? "s" : "") + "; geodesic on WGS84 (Vincenty); drawn as great circles.</span>";
    }
    function click(e) {
      var p = [e.latlng.lat, e.latlng.lng], last = pts[pts.length - 1];
      if (last && last[0] === p[0] && last[1] === p[1]) { return; }  // the 2nd click of a double-click
      pts.push(p); redraw();
    }
    function key(e) { if (e.originalEvent.key === "Escape") { pts = []; redraw(); } }
    function start() {
      st.measuring = true; pts = []; group.addTo(map);
      L.DomUtil.addClass(map.getContainer(), "eezmap-measuring");
      L.DomUtil.addClass(btn, "eezmap-active");
      btn.setAttribute("aria-pressed", "true");
      map.closePopup();
      // 'preclick' reaches the map even over a layer whose popup stops the 'click'
      map.on("preclick", click); map.on("keydown", key); map.on("dblclick", finish);
      if (dblZoom) { map.doubleClickZoom.disable(); }
      box.style.display = "block"; redraw();
    }
    function finish() {
      st.measuring = false;
      L.DomUtil.removeClass(map.getContainer(), "eezmap-measuring");
      L.DomUtil.removeClass(btn, "eezmap-active");
      btn.setAttribute("aria-pressed", "false");
      map.off("preclick", click); map.off("keydown", key); map.off("dblclick", finish);
      if (dblZoom) { window.setTimeout(function () { map.doubleClickZoom.enable(); }, 0); }
    }
    var Measure = L.Control.extend({
      onAdd: function () {
        var wrap = L.DomUtil.create("div", "eezmap-measure");
        var bar = L.DomUtil.create("div", "leaflet-bar eezmap-buttons", wrap);
        box = L.DomUtil.create("div", "eezmap-panel eezmap-measure-box", wrap);
        box.style.display = "none";
        box.setAttribute("aria-live", "polite");
        L.DomEvent.disableClickPropagation(box);
        btn = button(bar, ICON_RULER, "Measure a geodesic distance (km and NM)", function () {
          if (st.measuring) { finish(); if (pts.length < 2) { group.clearLayers(); box.style.display = "none"; } }
          else { start(); }
        });
        btn.setAttribute("aria-pressed", "false");
        return wrap;
      }
    });
    return new Measure({position: "topleft"}).addTo(map);
  };

  // the panels on the right share the height: the legend keeps its natural height up
  // to 55 %, the title panel gets what is left above it; each scrolls inside itself
  function layout(map) {
    var c = map.getContainer(), H = c.clientHeight;
    var legend = c.querySelector(".eezmap-legend"), title = c.querySelector(".eezmap-title");
    var lb = legend && legend.querySelector(".eezmap-body"), tb = title && title.querySelector(".eezmap-body");
    if (lb) { lb.style.maxHeight = Math.max(80, Math.round(H * 0.55) - 50) + "px"; }
    if (tb) {
      tb.style.maxHeight = "none";
      var bottom = legend ? legend.getBoundingClientRect().top - 10 : c.getBoundingClientRect().bottom - 40;
      var pad = title.getBoundingClientRect().bottom - tb.getBoundingClientRect().bottom;
      tb.style.maxHeight = Math.max(80, Math.floor(bottom - pad - tb.getBoundingClientRect().top)) + "px";
    }
  }

  // open on the region, clear of the panels on the right when there is room for that
  E.fit = function (map, bounds) {
    layout(map);
    map.on("resize", function () { layout(map); });
    var size = map.getSize(), right = 20;
    var panels = map.getContainer().querySelectorAll(".leaflet-right .eezmap-panel");
    for (var i = 0; i < panels.length; i++) {
      if (!panels[i].classList.contains("eezmap-folded")) { right = Math.max(right, panels[i].offsetWidth + 30); }
    }
    if (size.x - right < 420) { right = 20; }
    // clear of the attribution lines at the bottom too (filled only when the layers are added, later)
    var bottom = size.y >= 700 ? 56 : 24;
    map.fitBounds(bounds, {animate: false, paddingTopLeft: [56, 24], paddingBottomRight: [right, bottom]});
  };

  // every layer has been added: the layer control to the top of its corner, and the marks
  E.ready = function (map) {
    // the layer control (added last, after its layers) goes to the top of its corner
    var lc = map.getContainer().querySelector(".leaflet-top.leaflet-right > .leaflet-control-layers");
    if (lc && lc.parentNode.firstChild !== lc) {
      lc.parentNode.insertBefore(lc, lc.parentNode.firstChild);
      layout(map);
    }
    mark(map, "ready");
    window.requestAnimationFrame(function () {
      window.requestAnimationFrame(function () { mark(map, "drawn"); });
    });
  };

  window.eezmap = E;
})(window, document);
