// The map of boroughs on /map: an enhancement of the table on the same page, which has every figure.
// Borough boundaries only (no map tiles, nothing fetched from elsewhere). Each borough can be reached with Tab
// and chosen with Enter or Space, like a button, in the order of their names; choosing one lists what is funded
// there beside the map (under it on a phone) and moves the focus to that list.

const container = document.getElementById("borough-map");
const detail = document.getElementById("borough-detail");
const L = window.L;

function text(tag, content, className) {
  const element = document.createElement(tag);
  element.textContent = content;
  if (className) element.className = className;
  return element;
}

function link(href, content) {
  const anchor = text("a", content, "govuk-link");
  anchor.href = href;
  return anchor;
}

function pounds(pence) {
  const value = pence / 100;
  const whole = Number.isInteger(value);
  return "£" + value.toLocaleString("en-GB", { minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: 2 });
}

function swatchColour(band) {
  const swatch = document.querySelector(`.portal-swatch--${band}`);
  return swatch ? getComputedStyle(swatch).backgroundColor : "#ffffff";
}

function summary(figures) {
  const services = figures.services === 1 ? "1 service" : `${figures.services} services`;
  return `${figures.name}: ${services}, ${pounds(figures.funding)} (${pounds(figures.perResident)} per resident)`;
}

function showDetail(figures, period) {
  detail.replaceChildren();
  const heading = text("h2", figures.name, "govuk-heading-m");
  heading.tabIndex = -1;
  detail.append(heading);
  detail.append(text("p", `${period}: ${summary(figures).replace(`${figures.name}: `, "")}`, "govuk-body"));
  if (figures.titles.length) {
    const list = text("ul", "", "govuk-list govuk-list--bullet");
    for (const item of figures.titles) {
      const entry = document.createElement("li");
      entry.append(link(item.url, item.title));
      list.append(entry);
    }
    detail.append(list);
  }
  const page = document.createElement("p");
  page.className = "govuk-body";
  page.append(link(figures.boroughUrl, `${figures.name}: every service, the board's funding and recorded crime`));
  detail.append(page);
  const more = document.createElement("p");
  more.className = "govuk-body";
  more.append(link(figures.servicesUrl, `Search the services in ${figures.name}, including those across London`));
  detail.append(more);
  const rounds = document.createElement("p");
  rounds.className = "govuk-body";
  const count = figures.rounds === 1 ? "1 funding round" : `${figures.rounds} funding rounds`;
  rounds.append(link(figures.roundsUrl, `${count} open or opening soon for ${figures.name}`));
  detail.append(rounds);
  detail.hidden = false;
  return heading;
}

async function draw() {
  const [boundaries, data] = await Promise.all([
    fetch(container.dataset.boundariesUrl).then((response) => response.json()),
    fetch(container.dataset.figuresUrl).then((response) => response.json()),
  ]);
  container.hidden = false;
  const map = L.map(container, { zoomSnap: 0.25, scrollWheelZoom: false, attributionControl: true });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
  map.attributionControl.addAttribution(data.attribution);
  let selected = null;
  // Drawn in name order, so that Tab reaches the boroughs alphabetically.
  boundaries.features.sort((a, b) => a.properties.name.localeCompare(b.properties.name, "en-GB"));
  const layer = L.geoJSON(boundaries, {
    style: (feature) => {
      const figures = data.boroughs[feature.properties.gss_code];
      return {
        color: "#0b0c0c",
        weight: 1,
        fillOpacity: 0.85,
        fillColor: swatchColour(figures ? figures.band : 0),
      };
    },
    onEachFeature: (feature, boroughLayer) => {
      const figures = data.boroughs[feature.properties.gss_code];
      if (!figures) return;
      boroughLayer.bindTooltip(figures.name, { sticky: true });
      const choose = () => {
        if (selected) selected.setStyle({ weight: 1 });
        selected = boroughLayer;
        boroughLayer.setStyle({ weight: 4 });
        showDetail(figures, data.period).focus();
      };
      boroughLayer.on("click", choose);
      boroughLayer.on("add", () => {
        const element = boroughLayer.getElement();
        element.setAttribute("tabindex", "0");
        element.setAttribute("role", "button");
        element.setAttribute("aria-label", `${summary(figures)}. ${figures.bandLabel}.`);
        element.addEventListener("keydown", (event) => {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            choose();
          }
        });
      });
    },
  }).addTo(map);
  map.fitBounds(layer.getBounds());
}

if (container && detail && L) {
  draw().catch(() => {
    // The table below has every figure; without the map nothing is lost.
    container.hidden = true;
  });
}
