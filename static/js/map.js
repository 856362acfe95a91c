/* Maps: beside search results, on listing, project and community pages, and the bureau's
   district map. Progressive: without JavaScript (or Leaflet) the page is complete, and the result
   list stays the accessible view; the map repeats it. Base tiles come only from the deployment's
   tile setting (data-tile-url); without one the map draws district outlines, results and labels. */
(function () {
  "use strict";
  var CITY = [34.76, 113.65];
  var libraries = document.currentScript.dataset;
  var loading = null;

  /* Leaflet and its clustering are fetched only when a map is about to show (an open panel, a map
     scrolled near), so pages without a visible map never download them. */
  function withLeaflet(ready) {
    if (!loading) {
      ["leafletCss", "clusterCss", "clusterThemeCss"].forEach(function (name) {
        var link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = libraries[name];
        document.head.appendChild(link);
      });
      loading = addScript(libraries.leafletJs).then(function () { return addScript(libraries.clusterJs); });
    }
    loading.then(ready);
  }

  function addScript(source) {
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = source;
      tag.onload = resolve;
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }

  function whenNear(element, ready) {
    if (!("IntersectionObserver" in window)) { withLeaflet(ready); return; }
    var watcher = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        watcher.disconnect();
        withLeaflet(ready);
      }
    }, { rootMargin: "100px" });
    watcher.observe(element);
  }

  function baseMap(element, zoom) {
    var map = L.map(element, { keyboard: true, preferCanvas: true, zoomSnap: 0.5, minZoom: 7, maxZoom: 18,
                               zoomControl: false });
    L.control.zoom({ zoomInTitle: "放大", zoomOutTitle: "缩小" }).addTo(map);
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, { maxZoom: 18, attribution: element.dataset.tileAttribution || "" }).addTo(map);
    }
    map.attributionControl.setPrefix(false);
    map.setView(CITY, zoom || 10);
    return map;
  }

  function outlines(map, styleFor, eachFeature) {
    return fetch(map.getContainer().dataset.outlinesUrl).then(function (answer) { return answer.json(); })
      .then(function (data) {
        return L.geoJSON(data, {
          style: function (feature) {
            var approximate = feature.properties.approximate;
            var base = { color: approximate ? "#9a6700" : "#5b6b7b", weight: approximate ? 1.5 : 1,
                         dashArray: approximate ? "6 4" : null, fillOpacity: 0 };
            return styleFor ? Object.assign(base, styleFor(feature)) : base;
          },
          onEachFeature: function (feature, layer) {
            if (feature.properties.approximate) {
              layer.bindTooltip(feature.properties.name + "（范围为近似）", { sticky: true });
            } else {  /* without base tiles these names are the map's only orientation */
              layer.bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "district-label" });
            }
            if (eachFeature) { eachFeature(feature, layer); }
          }
        }).addTo(map);
      });
  }

  function escapeText(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  /* ----- search results ------------------------------------------------------------------ */

  function resultsMap(element) {
    var map = baseMap(element, 11);
    var form = document.getElementById(element.dataset.form);
    var markers = {};
    // Without animation a cluster never sits half-way over its neighbour while the map settles.
    var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45, animate: false });
    map.addLayer(cluster);
    outlines(map);
    var fitted = fitToQuery(map, element);
    fetch(element.dataset.pointsUrl).then(function (answer) { return answer.json(); }).then(function (data) {
      var bounds = [];
      data.points.forEach(function (point) {
        var marker = L.circleMarker([point.lat, point.lon], { radius: 7, color: "#fff", weight: 2,
                                                               fillColor: "#b42318", fillOpacity: 0.9 });
        marker.bindPopup('<a href="' + point.url + '">' + escapeText(point.label) + "</a><br>" + escapeText(point.price));
        cluster.addLayer(marker);
        markers[point.id] = marker;
        bounds.push([point.lat, point.lon]);
      });
      if (!fitted && bounds.length) {
        map.once("moveend", function () { element.dataset.settled = "true"; });
        map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15, animate: false });
      } else {
        element.dataset.settled = "true";
      }
      var note = document.getElementById(element.dataset.note);
      if (note) {
        note.textContent = data.capped ? "地图显示前" + data.points.length + "套（共" + data.total + "套），放大或缩小范围可看到更多"
                                       : "地图显示全部" + data.points.length + "套";
      }
      keepInStep(markers, cluster);
    });
    searchAsMapMoves(map, form, element);
    drawArea(map, form, element);
  }

  function fitToQuery(map, element) {
    if (element.dataset.bbox) {
      var b = element.dataset.bbox.split(",").map(Number);
      map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
      return true;
    }
    if (element.dataset.polygon) {
      var ring = element.dataset.polygon.split(";").map(function (pair) {
        var p = pair.split(",").map(Number); return [p[1], p[0]];
      });
      L.polygon(ring, { color: "#b42318", weight: 2, fillOpacity: 0.05 }).addTo(map);
      map.fitBounds(ring, { padding: [16, 16] });
      return true;
    }
    return false;
  }

  /* A result card and its marker light up together (hover or keyboard focus on the card). */
  function keepInStep(markers, cluster) {
    document.querySelectorAll("[data-result-id]").forEach(function (card) {
      var marker = markers[card.dataset.resultId];
      if (!marker) { return; }
      var on = function () {
        cluster.zoomToShowLayer(marker, function () { marker.setStyle({ radius: 11, fillColor: "#1d4ed8" }); });
      };
      var off = function () { marker.setStyle({ radius: 7, fillColor: "#b42318" }); };
      card.addEventListener("mouseenter", on);
      card.addEventListener("focusin", on);
      card.addEventListener("mouseleave", off);
      card.addEventListener("focusout", off);
    });
  }

  function submitWith(form, name, value, clear) {
    setField(form, name, value);
    setField(form, clear, "");
    setField(form, "page", "");
    form.querySelectorAll("input, select").forEach(function (field) {
      if (field.value === "" && field.type !== "checkbox") { field.disabled = true; }  /* a short address */
    });
    form.submit();
  }

  function setField(form, name, value) {
    var field = form.querySelector('input[name="' + name + '"]');
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = name;
      form.appendChild(field);
    }
    field.value = value;
    field.disabled = value === "";
  }

  function searchAsMapMoves(map, form, element) {
    var toggle = document.getElementById(element.dataset.moveToggle);
    if (!toggle || !form) { return; }
    toggle.checked = !!element.dataset.bbox;
    var ready = false;
    map.whenReady(function () { setTimeout(function () { ready = true; }, 800); });
    map.on("moveend", function () {
      if (!ready || !toggle.checked) { return; }
      var b = map.getBounds();
      var box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (n) { return n.toFixed(5); });
      submitWith(form, "bbox", box.join(","), "polygon");
    });
  }

  /* Click the map to place corners; 完成 closes the area and searches inside it. */
  function drawArea(map, form, element) {
    var start = document.getElementById(element.dataset.drawButton);
    var finish = document.getElementById(element.dataset.finishButton);
    var cancel = document.getElementById(element.dataset.cancelButton);
    var status = document.getElementById(element.dataset.drawStatus);
    if (!start || !form) { return; }
    var corners = [], line = null;
    var say = function (text) { if (status) { status.textContent = text; } };
    var stop = function () {
      map.off("click", addCorner);
      map.getContainer().classList.remove("drawing");
      if (line) { map.removeLayer(line); line = null; }
      corners = [];
      finish.hidden = cancel.hidden = true;
      start.hidden = false;
    };
    var addCorner = function (event) {
      corners.push(event.latlng);
      if (line) { map.removeLayer(line); }
      line = L.polyline(corners, { color: "#1d4ed8", weight: 2, dashArray: "4 4" }).addTo(map);
      finish.disabled = corners.length < 3;
      say("已选" + corners.length + "个点" + (corners.length < 3 ? "，至少需要3个点" : "，可以点“完成区域”"));
    };
    start.addEventListener("click", function () {
      corners = [];
      map.on("click", addCorner);
      map.getContainer().classList.add("drawing");
      start.hidden = true;
      finish.hidden = cancel.hidden = false;
      finish.disabled = true;
      say("在地图上依次点击，圈出想找房的区域");
    });
    cancel.addEventListener("click", function () { stop(); say("已取消画区域"); });
    finish.addEventListener("click", function () {
      if (corners.length < 3) { return; }
      var text = corners.map(function (c) { return c.lng.toFixed(5) + "," + c.lat.toFixed(5); }).join(";");
      stop();
      submitWith(form, "polygon", text, "bbox");
    });
  }

  /* ----- one place: a listing, a project, a community --------------------------------------- */

  function placeMap(element) {
    var map = baseMap(element, 12);
    var at = [Number(element.dataset.lat), Number(element.dataset.lon)];
    outlines(map);
    L.circleMarker(at, { radius: 9, color: "#fff", weight: 2, fillColor: "#b42318", fillOpacity: 0.95 })
      .bindTooltip(element.dataset.label || "", { permanent: true, direction: "top", offset: [0, -8] }).addTo(map);
    map.setView(at, 12);
  }

  /* ----- the bureau's district map: completed swaps against each district's share -------------- */

  function progressMap(element) {
    var map = baseMap(element, 9);
    var figures = JSON.parse(document.getElementById(element.dataset.figures).textContent);
    var colour = function (share) {
      if (share === null || share === undefined) { return "#e5e7eb"; }
      return share >= 1 ? "#166534" : share >= 0.75 ? "#4d9a5c" : share >= 0.5 ? "#a3c977" : share >= 0.25 ? "#f2c14e" : "#e07a3f";
    };
    outlines(map, function (feature) {
      var figure = figures[feature.properties.code];
      return { fillColor: colour(figure ? figure.share : null), fillOpacity: feature.properties.approximate ? 0.35 : 0.6 };
    }, function (feature, layer) {
      var figure = figures[feature.properties.code];
      if (!figure) { return; }
      layer.bindTooltip(escapeText(feature.properties.name) + "：完成" + figure.completed + "套" +
                        (figure.target ? "，份额" + figure.target + "套（" + Math.round(figure.share * 100) + "%）" : ""),
                        { sticky: true });
      if (figure.url) { layer.on("click", function () { window.location.href = figure.url; }); }
    }).then(function (layer) { map.fitBounds(layer.getBounds(), { padding: [8, 8] }); });
  }

  /* The results map has its place on a wide screen from the first paint (no layout shift); on a
     phone it waits behind 在地图上查看 (the results come first). Leaflet loads when it shows. */
  document.querySelectorAll("[data-map='results']").forEach(function (element) {
    var panel = element.closest(".map-panel");
    var toggle = panel && panel.querySelector(".map-toggle");
    var drawn = false;
    var draw = function () {
      if (!drawn) { drawn = true; withLeaflet(function () { resultsMap(element); }); }
    };
    if (toggle) {
      toggle.addEventListener("click", function () {
        var open = panel.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        toggle.textContent = open ? "收起地图" : "在地图上查看";
        if (open) { draw(); }
      });
    }
    if (!toggle || getComputedStyle(toggle).display === "none") { draw(); }
  });
  document.querySelectorAll("[data-map='place']").forEach(function (element) {
    whenNear(element, function () { placeMap(element); });
  });
  document.querySelectorAll("[data-map='progress']").forEach(function (element) {
    whenNear(element, function () { progressMap(element); });
  });
})();
