import type { AssessmentResponse, DrugListResponse, DrugLookup } from '../../functions/http/app-api';
import { append, type Child, externalLink, h, markdown } from './dom';
import { type FhirGateway, FhirGatewayError, type FhirResource, type PatientRecord } from './fhir-gateway';
import { type TailorService, TailorServiceError } from './tailor-service';
import {
  type CardContext,
  conditionRows,
  findCardRecommendation,
  geneRows,
  type MedicationAlerts,
  medicationAlerts,
  NOT_TESTED_MESSAGE,
  type RecommendationView,
  recommendationView,
  variantRows,
} from './view-model';

/** What the launch established: whether to show a banner, and the card the app was opened from. */
export interface Session {
  needPatientBanner: boolean;
  cardContext?: CardContext;
}

export interface AppDependencies {
  gateway: FhirGateway;
  service: TailorService;
  session: Session;
  /** Performance marks (the e2e test reads them); a no-op in tests. */
  mark?: (name: string) => void;
}

/** What the app shows for each way it can fail: never a silent empty screen. */
export const MESSAGES = {
  sessionExpired: {
    title: 'Your session has ended',
    text: 'The EHR session this app was opened in has expired or was not accepted, so genomic guidance was not checked. Open Tailor again from the patient’s record.',
  },
  fhirError: {
    title: 'The patient’s records could not be read',
    text: 'Tailor could not read the patient’s genomic results or medications from the EHR. Genomic guidance could not be checked: review the genomic results in the record before prescribing, or try again.',
  },
  serviceError: {
    title: 'Tailor’s recommendations are unavailable',
    text: 'Tailor’s recommendation service could not complete the check. This does not mean there are no genomic concerns: review the genomic results in the record before prescribing, or try again shortly.',
  },
  launchFailed: {
    title: 'Tailor could not start',
    text: 'The launch from the EHR could not be completed, or this session has ended. Open Tailor again from the patient’s record.',
  },
  forbidden: {
    title: 'Access to the records was not granted',
    text: 'The EHR did not grant Tailor access to this patient’s genomic results or medications. Ask your EHR administrator, or review the results in the record.',
  },
} as const;

/** Loads everything through the gateway and the service, then renders. Never throws. */
export async function runApp(root: HTMLElement, deps: AppDependencies): Promise<void> {
  const mark = deps.mark ?? (() => {});
  root.replaceChildren(
    h('header', { class: 'app-header' }, h('h1', {}, 'Tailor: genomic medication guidance')),
    h(
      'main',
      { id: 'main', tabindex: '-1' },
      h('p', { role: 'status', class: 'loading' }, 'Loading the patient’s genomic results…'),
    ),
  );
  const main = root.querySelector('main') as HTMLElement;

  let patient: PatientRecord;
  let resources: FhirResource[];
  try {
    const [p, genomic, conditions, medications] = await Promise.all([
      deps.gateway.patient(),
      deps.gateway.genomicResults(),
      deps.gateway.conditions(),
      deps.gateway.activeMedications(),
    ]);
    patient = p;
    resources = [p.resource, ...genomic, ...conditions, ...medications];
  } catch (error) {
    main.replaceChildren(errorPanel(fhirMessage(error)));
    mark('tailor:rendered');
    return;
  }
  const banner = deps.session.needPatientBanner ? patientBanner(patient) : null;
  if (banner) root.insertBefore(banner, main);
  mark('tailor:patient');

  const cardDrug = deps.session.cardContext?.drug;
  const drugList = deps.service.drugs().catch(() => undefined);
  let answer: AssessmentResponse;
  try {
    answer = await deps.service.assess({ resources, ...(cardDrug ? { drugs: [cardDrug] } : {}) });
  } catch (error) {
    main.replaceChildren(errorPanel(serviceMessage(error)));
    mark('tailor:rendered');
    return;
  }

  main.replaceChildren();
  append(main, [
    h('p', { class: 'visually-hidden', id: 'patient-name' }, `Patient: ${patient.name}`),
    cardSection(answer, deps.session.cardContext),
    answer.tested ? null : notTestedPanel(),
    alertsSection(answer),
    profileSection(answer),
    affectedSection(answer),
    lookupSection(resources, deps.service, drugList),
    h(
      'footer',
      { class: 'app-footer' },
      `Rule set ${answer.ruleSetVersion} · Tailor genomic clinical decision support`,
    ),
  ]);
  mark('tailor:rendered');
  const highlighted = main.querySelector<HTMLElement>('#from-card');
  // First in the page already: focus without scrolling, which in a frame would scroll the EHR's page too.
  highlighted?.focus({ preventScroll: true });
}

function fhirMessage(error: unknown): { title: string; text: string; detail?: string } {
  if (error instanceof FhirGatewayError) {
    switch (error.kind) {
      case 'session-expired':
        return MESSAGES.sessionExpired;
      case 'forbidden':
        return MESSAGES.forbidden;
      case 'unavailable':
        return { ...MESSAGES.fhirError, detail: error.message };
    }
  }
  return MESSAGES.fhirError;
}

function serviceMessage(error: unknown): { title: string; text: string; detail?: string } {
  if (error instanceof TailorServiceError) {
    switch (error.kind) {
      case 'session-expired':
        return MESSAGES.sessionExpired;
      case 'unavailable':
        return { ...MESSAGES.serviceError, detail: error.message };
    }
  }
  return MESSAGES.serviceError;
}

export function errorPanel(message: { title: string; text: string; detail?: string }): HTMLElement {
  return h(
    'section',
    { class: 'panel error', role: 'alert', 'aria-labelledby': 'error-title' },
    h('h2', { id: 'error-title' }, message.title),
    h('p', {}, message.text),
    message.detail ? h('p', { class: 'muted' }, `Details: ${message.detail}`) : null,
  );
}

function notTestedPanel(): HTMLElement {
  return h(
    'section',
    { class: 'panel not-tested', 'aria-labelledby': 'not-tested-title' },
    h('h2', { id: 'not-tested-title' }, 'Not tested'),
    h('p', {}, NOT_TESTED_MESSAGE),
  );
}

export function patientBanner(patient: PatientRecord): HTMLElement {
  const facts: Child[] = [];
  if (patient.birthDate) facts.push(h('span', {}, h('span', { class: 'label' }, 'Born '), patient.birthDate));
  if (patient.gender) facts.push(h('span', {}, h('span', { class: 'label' }, 'Sex '), patient.gender));
  if (patient.identifier) facts.push(h('span', {}, h('span', { class: 'label' }, 'ID '), patient.identifier));
  return h(
    'section',
    { class: 'patient-banner', 'aria-label': 'Patient' },
    h('p', { class: 'patient-name' }, patient.name),
    h('p', { class: 'patient-facts' }, ...facts),
  );
}

/** The recommendation of the card the app was opened from, first and highlighted. */
function cardSection(answer: AssessmentResponse, context: CardContext | undefined): HTMLElement | null {
  if (!context) return null;
  const rec = findCardRecommendation(answer, context);
  const versionNote =
    context.ruleSetVersion && context.ruleSetVersion !== answer.ruleSetVersion
      ? h(
          'p',
          { class: 'muted' },
          `The alert was produced with rule set ${context.ruleSetVersion}; this view uses the active rule set ${answer.ruleSetVersion}.`,
        )
      : null;
  return h(
    'section',
    { class: 'panel from-card', id: 'from-card', tabindex: '-1', 'aria-labelledby': 'from-card-title' },
    h('h2', { id: 'from-card-title' }, 'The alert you opened'),
    versionNote,
    rec
      ? recommendationArticle(recommendationView(rec), { highlighted: true, level: 3 })
      : h(
          'p',
          {},
          `The alert’s recommendation (rule ${context.ruleId ?? 'unknown'} for ${context.drug ?? 'a drug'}) does not apply to the patient’s current records. They may have changed since the alert was shown.`,
        ),
  );
}

function alertsSection(answer: AssessmentResponse): HTMLElement {
  const groups = medicationAlerts(answer);
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'alerts-title' },
    h('h2', { id: 'alerts-title' }, 'Current medications'),
    groups.length === 0
      ? h('p', {}, 'No active medication orders were found in the record.')
      : h('ul', { class: 'medications' }, ...groups.map(medicationItem)),
  );
}

/** Every drug the genomic results change the advice for: the whole picture beyond today's orders. */
function affectedSection(answer: AssessmentResponse): HTMLElement | null {
  if (!answer.tested) return null;
  const recs = answer.affected.map(recommendationView);
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'affected-title', id: 'affected' },
    h('h2', { id: 'affected-title' }, 'Drugs affected by the genomic results'),
    recs.length === 0
      ? h(
          'p',
          {},
          'The genomic results on file change the advice for none of the drugs Tailor has rules for.',
        )
      : h('div', {}, ...recs.map((rec) => recommendationArticle(rec, { level: 3 }))),
  );
}

function medicationItem(group: MedicationAlerts): HTMLElement {
  const body: Child[] = [];
  if (group.unrecognised)
    body.push(
      h('p', { class: 'muted' }, 'Not recognised as a drug Tailor has rules for: no genomic check was made.'),
    );
  else if (group.recommendations.length === 0)
    body.push(h('p', { class: 'muted' }, 'No genomic rules concern this medication.'));
  for (const rec of group.recommendations) body.push(recommendationArticle(rec, { level: 4 }));
  return h('li', { class: 'medication' }, h('h3', {}, group.display), ...body);
}

function recommendationArticle(
  rec: RecommendationView,
  options: { highlighted?: boolean; level: 3 | 4 },
): HTMLElement {
  const heading = h(`h${options.level}`, { class: 'rec-title' }, `${rec.drugName}: ${rec.actionLabel}`);
  return h(
    'article',
    {
      class: `recommendation ${rec.indicator}${options.highlighted ? ' highlighted' : ''}${rec.actionable ? ' actionable' : ''}`,
      id: options.highlighted ? `${rec.id}-card` : rec.id,
      'data-rule-id': rec.ruleId,
      'data-action': rec.action,
    },
    heading,
    h(
      'p',
      { class: 'badges' },
      h('span', { class: `badge ${rec.indicator}` }, rec.indicatorLabel),
      h('span', { class: 'badge neutral' }, `Action: ${rec.actionLabel}`),
      h('span', { class: 'badge neutral' }, `Strength: ${rec.strength}`),
    ),
    h('p', { class: 'summary' }, rec.summary),
    rec.genes.length > 0 || rec.diagnoses.length > 0
      ? h(
          'ul',
          { class: 'facts', 'aria-label': 'Findings read' },
          ...[...rec.genes, ...rec.diagnoses].map((t) => h('li', {}, t)),
        )
      : null,
    rec.alternatives.length > 0
      ? h(
          'div',
          {},
          h('p', { class: 'label' }, 'Alternatives'),
          h('ul', {}, ...rec.alternatives.map((a) => h('li', {}, a))),
        )
      : null,
    h(
      'details',
      {},
      h('summary', {}, 'Details and evidence'),
      markdown(rec.detail),
      rec.populationNotes.length > 0 ? h('ul', {}, ...rec.populationNotes.map((n) => h('li', {}, n))) : null,
      h(
        'ul',
        { class: 'evidence', 'aria-label': 'Evidence' },
        ...rec.evidence.map((e) =>
          h(
            'li',
            {},
            externalLink(e.url, e.label),
            `, strength ${e.strength}`,
            ...e.pmids.flatMap((p) => ['; ', externalLink(p.url, `PMID ${p.id}`)]),
          ),
        ),
      ),
    ),
    h(
      'p',
      { class: 'provenance' },
      h('span', {}, `Rule ${rec.ruleId}`),
      h('span', {}, `rule version ${rec.ruleVersion}`),
      h('span', {}, `rule set ${rec.ruleSetVersion}`),
    ),
  );
}

function profileSection(answer: AssessmentResponse): HTMLElement {
  const genes = geneRows(answer.findings);
  const variants = variantRows(answer.findings);
  const conditions = conditionRows(answer.findings);
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'profile-title' },
    h('h2', { id: 'profile-title' }, 'Genomic profile'),
    genes.length === 0
      ? h('p', {}, 'No gene results on file: not tested.')
      : h(
          'table',
          { class: 'genes' },
          h('caption', {}, 'Gene results'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Gene', 'Result', 'Phenotype or carrier status', 'Status', 'Lab', 'Date', 'Notes'].map(
                (t) => h('th', { scope: 'col' }, t),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...genes.map((row) =>
              h(
                'tr',
                { class: row.status === 'called' ? '' : `flag-${row.status}`, 'data-gene': row.gene },
                h('th', { scope: 'row' }, row.gene, row.somatic ? ' (somatic)' : ''),
                h('td', {}, row.result),
                h('td', {}, row.interpretation),
                h('td', {}, h('span', { class: `status ${row.status}` }, row.statusLabel)),
                h('td', {}, row.lab),
                h('td', {}, row.date),
                h(
                  'td',
                  {},
                  row.notes.length > 0 ? h('ul', {}, ...row.notes.map((n) => h('li', {}, n))) : '—',
                ),
              ),
            ),
          ),
        ),
    variants.length > 0
      ? h(
          'table',
          { class: 'variants' },
          h('caption', {}, 'Variants'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Gene', 'Variant', 'Zygosity', 'Significance', 'Presence', 'Lab', 'Date'].map((t) =>
                h('th', { scope: 'col' }, t),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...variants.map((v) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, v.gene, v.somatic ? ' (somatic)' : ''),
                h('td', {}, v.variant),
                h('td', {}, v.zygosity),
                h('td', {}, v.significance),
                h('td', {}, v.presence),
                h('td', {}, v.lab),
                h('td', {}, v.date),
              ),
            ),
          ),
        )
      : null,
    conditions.length > 0
      ? h(
          'div',
          {},
          h('h3', {}, 'Conditions'),
          h(
            'ul',
            {},
            ...conditions.map((c) =>
              h(
                'li',
                {},
                `${c.name} (${c.verification}, ${c.clinical})${c.fromGenomics ? ' · from a genomic report' : ''}`,
              ),
            ),
          ),
        )
      : null,
  );
}

/** "What if I prescribe X?": evaluated by the service beside the current medications. */
function lookupSection(
  resources: FhirResource[],
  service: TailorService,
  drugList: Promise<DrugListResponse | undefined>,
): HTMLElement {
  const input = h('input', {
    id: 'lookup-drug',
    name: 'drug',
    type: 'text',
    list: 'lookup-drugs',
    autocomplete: 'off',
    required: true,
    'aria-describedby': 'lookup-hint',
  }) as HTMLInputElement;
  const datalist = h('datalist', { id: 'lookup-drugs' });
  const results = h('div', { id: 'lookup-results', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit' }, 'Check') as HTMLButtonElement;
  const form = h(
    'form',
    { class: 'lookup', 'aria-labelledby': 'lookup-title' },
    h('label', { for: 'lookup-drug' }, 'Drug name'),
    h('span', { class: 'hint', id: 'lookup-hint' }, 'For example clopidogrel, abacavir or warfarin.'),
    h('span', { class: 'row' }, input, button),
    datalist,
  );
  void drugList.then((list) => {
    for (const drug of list?.drugs.filter((d) => d.hasRules) ?? [])
      datalist.appendChild(h('option', { value: drug.name }));
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = input.value.trim();
    if (!query) return;
    button.disabled = true;
    results.replaceChildren(h('p', { role: 'status' }, `Checking ${query}…`));
    service
      .assess({ resources, drugs: [query] })
      .then((answer) => results.replaceChildren(lookupResult(answer.lookups[0], query)))
      .catch((error: unknown) => results.replaceChildren(errorPanel(serviceMessage(error))))
      .finally(() => {
        button.disabled = false;
      });
  });
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'lookup-title' },
    h('h2', { id: 'lookup-title' }, 'What if I prescribe…?'),
    form,
    results,
  );
}

export function lookupResult(lookup: DrugLookup | undefined, query: string): HTMLElement {
  if (!lookup || lookup.ingredients.length === 0)
    return h(
      'p',
      { class: 'lookup-result' },
      `“${query}” was not recognised as a drug Tailor knows. Check the spelling or use the generic name.`,
    );
  const recs = lookup.recommendations.map(recommendationView);
  return h(
    'div',
    { class: 'lookup-result' },
    h('h3', {}, `Result for ${query}`),
    lookup.withoutRules.length > 0
      ? h(
          'p',
          { class: 'muted' },
          `Tailor has no genomic rules for ${lookup.withoutRules.join(', ')}: no genomic guidance is available (this is not a statement that it is safe).`,
        )
      : null,
    ...recs.map((rec) => recommendationArticle({ ...rec, id: `lookup-${rec.id}` }, { level: 4 })),
  );
}
