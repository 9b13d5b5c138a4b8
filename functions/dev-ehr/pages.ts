import { CATALOG } from './catalog';
import type { HookOutcome, OrderHook, ReceivedCard } from './cds-client';
import { patientName, type Resource } from './fhir-store';
import { html, page, raw, type SafeHtml } from './html';
import { renderMarkdown } from './markdown';
import type { PatientScenario } from './scenarios';

export interface ListedPatient {
  patient: Resource;
  scenario?: PatientScenario;
}

function banner(patient: Resource): SafeHtml {
  return html`<section class="banner" aria-label="Patient">
    <span class="name">${patientName(patient)}</span>
    <span>Born ${String(patient.birthDate ?? 'unknown')}</span>
    <span>Sex ${String(patient.gender ?? 'unknown')}</span>
    <span>Patient id ${patient.id}</span>
  </section>`;
}

export function patientListPage(patients: readonly ListedPatient[], standaloneUrl: string): string {
  return page(
    'Patients · Development EHR',
    html`<h1>Patients</h1>
      <p>Synthetic, plainly fictional patients for demonstrating and testing Tailor. Launch the Tailor app in the
        EHR frame (EHR launch), or open the order screen to send CDS Hooks requests.</p>
      <table>
        <caption>Patient list</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Born</th><th scope="col">Scenario</th><th scope="col">Actions</th></tr></thead>
        <tbody>
          ${patients.map(
            ({ patient, scenario }) => html`<tr data-patient-id="${patient.id}">
              <th scope="row">${patientName(patient)}</th>
              <td>${String(patient.birthDate ?? '')}</td>
              <td>${scenario?.scenario ?? ''}</td>
              <td><div class="actions">
                <form method="get" action="/patients/${encodeURIComponent(patient.id)}/launch">
                  <button type="submit" aria-label="Launch Tailor for ${patientName(patient)}">Launch Tailor</button>
                </form>
                <form method="get" action="/patients/${encodeURIComponent(patient.id)}/order">
                  <button type="submit" class="secondary" aria-label="Order for ${patientName(patient)}">Order</button>
                </form>
              </div></td>
            </tr>`,
          )}
        </tbody>
      </table>
      <p>Standalone launch (the app asks for a patient): <a href="${standaloneUrl}">open Tailor without a launch</a>.</p>`,
  );
}

export function framePage(patient: Resource, appUrl: string, fromCard: boolean): string {
  return page(
    `Tailor · ${patientName(patient)} · Development EHR`,
    html`${banner(patient)}
      <nav aria-label="Patient chart" class="banner">
        <a href="/patients/${encodeURIComponent(patient.id)}/order">Order screen</a>
        ${fromCard ? html`<span>Opened from a CDS card</span>` : ''}
      </nav>
      <iframe id="app-frame" name="app-frame" class="app-frame" title="Tailor genomic decision support" src="${appUrl}"></iframe>`,
    { mainClass: 'frame' },
  );
}

export interface OrderPageState {
  patient: Resource;
  selected: string;
  hook?: OrderHook;
  outcome?: HookOutcome;
}

export function orderPage(state: OrderPageState): string {
  const { patient } = state;
  const id = encodeURIComponent(patient.id);
  return page(
    `Order · ${patientName(patient)} · Development EHR`,
    html`${banner(patient)}
      <h1>New medication order</h1>
      <form class="order-form" method="post" action="/patients/${id}/order">
        <div>
          <label for="medication">Medication</label>
          <select id="medication" name="medication">
            ${CATALOG.map(
              (entry) =>
                html`<option value="${entry.key}"${raw(entry.key === state.selected ? ' selected' : '')}>${entry.label}</option>`,
            )}
          </select>
        </div>
        <div class="actions">
          <button type="submit" name="hook" value="order-select">Select</button>
          <button type="submit" name="hook" value="order-sign">Sign</button>
        </div>
        <p class="meta">Select sends a CDS Hooks order-select request, Sign an order-sign request, to Tailor.</p>
      </form>
      ${state.outcome && state.hook ? result(patient, state.hook, state.outcome) : ''}`,
  );
}

function result(patient: Resource, hook: OrderHook, outcome: HookOutcome): SafeHtml {
  const heading = html`<h2 id="cds-result-heading">Tailor (${hook})</h2>`;
  switch (outcome.kind) {
    case 'unreachable':
      return html`<section id="cds-result" aria-labelledby="cds-result-heading">${heading}
        <p class="status error" role="alert" data-outcome="unreachable">Tailor could not be reached (${outcome.message}). The order was not checked for genomic risks.</p>
      </section>`;
    case 'error':
      return html`<section id="cds-result" aria-labelledby="cds-result-heading">${heading}
        <p class="status error" role="alert" data-outcome="error" data-status="${outcome.status}">Tailor answered with an error (HTTP ${outcome.status}: ${outcome.message}). The order was not checked for genomic risks.</p>
      </section>`;
    case 'cards':
      return html`<section id="cds-result" aria-labelledby="cds-result-heading" data-outcome="cards">${heading}
        <p class="meta" role="status">${outcome.cards.length === 0 ? 'No cards: Tailor has no advice for this order.' : `${outcome.cards.length} card${outcome.cards.length === 1 ? '' : 's'}`} · answered in ${outcome.ms} ms · hookInstance ${outcome.hookInstance}</p>
        <div class="cards">${outcome.cards.map((card, i) => cardHtml(patient, card, i))}</div>
      </section>`;
    default:
      return outcome satisfies never;
  }
}

const INDICATOR_LABEL: Record<ReceivedCard['indicator'], string> = {
  critical: 'Critical',
  warning: 'Warning',
  info: 'Info',
};

function cardHtml(patient: Resource, card: ReceivedCard, index: number): SafeHtml {
  const headingId = `card-${index}-summary`;
  return html`<article class="card card--${card.indicator}" data-indicator="${card.indicator}" data-card-uuid="${card.uuid ?? ''}" aria-labelledby="${headingId}">
    <span class="indicator">${INDICATOR_LABEL[card.indicator]}</span>
    <h3 id="${headingId}">${card.summary}</h3>
    <p class="source">Source: ${isHttp(card.source.url) ? html`<a href="${card.source.url}" target="_blank" rel="noopener noreferrer">${card.source.label}</a>` : card.source.label}</p>
    ${card.detail ? html`<details open><summary>Details</summary><div class="detail">${raw(renderMarkdown(card.detail))}</div></details>` : ''}
    ${
      card.suggestions.length > 0
        ? html`<h4>Suggestions</h4><ul class="suggestions">${card.suggestions.map(
            (s) => html`<li>${s.label}${s.isRecommended ? html` <strong>(recommended)</strong>` : ''}</li>`,
          )}</ul>`
        : ''
    }
    ${
      card.overrideReasons.length > 0
        ? html`<h4>Override reasons</h4><ul class="override-reasons">${card.overrideReasons.map((r) => html`<li>${r}</li>`)}</ul>`
        : ''
    }
    ${
      card.links.length > 0
        ? html`<div class="actions links">${card.links.map((link) =>
            link.type === 'smart'
              ? html`<form method="post" action="/patients/${encodeURIComponent(patient.id)}/launch">
                  <input type="hidden" name="launchUrl" value="${link.url}">
                  ${link.appContext !== undefined ? html`<input type="hidden" name="appContext" value="${link.appContext}">` : ''}
                  <button type="submit" class="smart-link">${link.label}</button>
                </form>`
              : isHttp(link.url)
                ? html`<a href="${link.url}" target="_blank" rel="noopener noreferrer">${link.label}</a>`
                : html`<span>${link.label}</span>`,
          )}</div>`
        : ''
    }
  </article>`;
}

/** Only http(s) URLs become links; anything else (javascript:, data:) stays text. */
function isHttp(url: string | undefined): url is string {
  return url !== undefined && /^https?:\/\//i.test(url);
}
