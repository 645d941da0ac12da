/**
 * Synthetic but plausible contact-center knowledge for the search benchmark:
 * posts (insights, tips, questions), answers and KB articles in Italian (about
 * 60%) and English, built from templates over a domain vocabulary plus a long
 * tail of product names, error codes and places. Deterministic for a seed.
 */

import type { KbState, SearchDocument, SearchKind } from '../../server/search/search.types.ts';
import { createRandom, type Random } from '../../server/seed/random.ts';

export const IT = {
  subjects: [
    'Il cliente',
    'La cliente',
    'Un cliente business',
    "L'utente",
    'Il titolare del contratto',
    'Una signora anziana',
    'Il referente aziendale',
    'Un nuovo abbonato',
    'Il condominio',
    'Un cliente storico',
  ],
  problems: [
    'non riceve la fattura di {month}',
    'vede un addebito non riconosciuto sulla carta di credito',
    'chiede il rimborso del canone pagato due volte',
    'ha ricevuto una bolletta doppia per lo stesso periodo',
    "non riesce ad accedere all'app {product}",
    'ha la linea fibra molto lenta la sera',
    'segnala che il modem lampeggia rosso da {days} giorni',
    'vuole disdire il contratto senza penali',
    'chiede la portabilità del numero verso un altro operatore',
    'contesta un conguaglio elevato sulle letture stimate',
    'non trova il codice cliente sulla bolletta',
    "ha cambiato IBAN e la domiciliazione bancaria non e' attiva",
    'segnala un pacco non consegnato con il router nuovo',
    'chiede la voltura per trasloco a {city}',
    'ha superato la soglia dati in roaming',
    "non riceve l'SMS con il codice OTP",
    'chiede perché la fatturazione è cambiata da bimestrale a mensile',
    "lamenta l'interruzione del servizio dopo il pagamento",
    'riceve solleciti di pagamento già saldati',
    'vuole attivare la rateizzazione del debito',
    "ha l'errore {code} durante l'attivazione della SIM",
    'chiede la copia del contratto firmato',
    'segnala una telefonata commerciale non richiesta',
    'non riesce a pagare con PayPal dal sito',
    'chiede lo sconto fedeltà promesso dal negozio',
  ],
  actions: [
    'Verificare in CRM lo stato della pratica prima di rispondere.',
    "Controllare che l'IBAN inserito sia corretto e attivo.",
    'Aprire un ticket al secondo livello con priorità alta.',
    'Spiegare che il conguaglio deriva dalle letture stimate del contatore.',
    'Proporre la rateizzazione in {n} rate senza interessi.',
    'Far riavviare il modem tenendo premuto il tasto reset per trenta secondi.',
    'Inviare il modulo di recesso tramite PEC o raccomandata.',
    'Controllare se ci sono guasti noti nella zona di {city}.',
    "Ricordare al cliente che l'app {product} va aggiornata all'ultima versione.",
    'Registrare il reclamo e comunicare il numero di pratica.',
    'Emettere la nota di credito e avvisare il cliente via email.',
    "Verificare l'identità del chiamante con le domande di sicurezza.",
    'Chiedere una lettura autonoma del contatore con foto.',
    'Sbloccare il pagamento sospeso dal pannello amministrativo.',
    'Spiegare la differenza tra addebito diretto e bonifico.',
    "Controllare l'anagrafica: spesso l'indirizzo di fatturazione è vecchio.",
    'Indicare i tempi di rimborso: circa {days} giorni lavorativi.',
    "Segnalare il caso al team {team} se l'errore {code} si ripete.",
  ],
  details: [
    'dal mese di {month}',
    "dopo l'ultimo aggiornamento",
    'da circa tre settimane',
    'nonostante il pagamento regolare',
    'con bonifico bancario',
    'con carta prepagata',
    'tramite il sito',
    'al telefono con un collega',
    'in negozio a {city}',
    'durante il weekend',
  ],
  questions: [
    'Come gestisco {problem}?',
    'Qualcuno ha già visto un caso di {problem}?',
    'Cosa rispondere quando il cliente {problem}?',
    'Procedura corretta se il cliente {problem}?',
  ],
  connectors: ['Inoltre', 'In questi casi', 'Attenzione', 'Nota', 'Di solito', 'Se il problema persiste'],
  months: [
    'gennaio',
    'febbraio',
    'marzo',
    'aprile',
    'maggio',
    'giugno',
    'luglio',
    'settembre',
    'ottobre',
    'novembre',
    'dicembre',
  ],
  cities: [
    'Milano',
    'Roma',
    'Napoli',
    'Torino',
    'Bologna',
    'Firenze',
    'Bari',
    'Palermo',
    'Genova',
    'Verona',
    'Padova',
    'Trieste',
    'Cagliari',
    'Perugia',
  ],
};

export const EN = {
  subjects: [
    'The customer',
    'A business customer',
    'The account holder',
    'An elderly caller',
    'A new subscriber',
    'The company contact',
    'A long-standing customer',
  ],
  problems: [
    'was billed twice for the same month',
    'sees an unknown charge on the credit card',
    'asks for a refund of the monthly fee',
    'cannot log in to the {product} app',
    'has a very slow fibre connection in the evening',
    'reports the router blinking red for {days} days',
    'wants to cancel the contract without fees',
    'asks to port the number to another provider',
    'disputes a high balancing bill based on estimated readings',
    'cannot find the customer code on the invoice',
    'changed bank details and the direct debit is not active',
    'reports a parcel with the new modem never delivered',
    'asks to transfer the account after moving to {city}',
    'exceeded the roaming data allowance',
    'does not receive the OTP text message',
    'asks why billing changed from every two months to monthly',
    'complains the service was cut off after paying',
    'keeps receiving payment reminders for settled invoices',
    'wants a payment plan for the outstanding balance',
    'gets error {code} while activating the SIM',
    'cannot pay with PayPal on the website',
  ],
  actions: [
    'Check the case status in the CRM before answering.',
    'Make sure the IBAN entered is correct and active.',
    'Open a second-level ticket with high priority.',
    'Explain that the balancing bill comes from estimated meter readings.',
    'Offer a payment plan in {n} instalments without interest.',
    'Have the customer restart the modem holding reset for thirty seconds.',
    'Send the withdrawal form by certified email.',
    'Look for known outages in the {city} area.',
    'Remind the customer to update the {product} app.',
    'Log the complaint and give the case number.',
    'Issue the credit note and notify the customer by email.',
    'Verify the caller with the security questions.',
    'Ask for a meter reading with a photo.',
    'Explain the difference between direct debit and bank transfer.',
    'Refunds usually take about {days} working days.',
    'Escalate to the {team} team if error {code} happens again.',
  ],
  details: [
    'since {month}',
    'after the last update',
    'for about three weeks',
    'despite paying on time',
    'by bank transfer',
    'with a prepaid card',
    'on the website',
    'in the {city} shop',
  ],
  questions: [
    'How do I handle a customer who {problem}?',
    'Has anyone seen a customer who {problem}?',
    'What should we say when the customer {problem}?',
  ],
  connectors: ['Also', 'In these cases', 'Careful', 'Note', 'Usually', 'If the problem persists'],
  months: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'September',
    'October',
    'November',
  ],
  cities: ['Milan', 'Rome', 'Naples', 'Turin', 'Bologna', 'Florence', 'London', 'Dublin'],
};

const TEAMS_NAMES = [
  'Fatturazione',
  'Assistenza Tecnica',
  'Carte e Conti',
  'Retention',
  'Back Office',
  'Business',
];

export type Lang = typeof IT;

/** A long tail of product names and error codes, as real corpora have. */
function tail(random: Random) {
  const syllables = [
    'ra',
    'to',
    'ne',
    'vi',
    'lo',
    'ma',
    'ker',
    'sun',
    'flex',
    'net',
    'go',
    'pro',
    'max',
    'zen',
    'lu',
  ];
  const products = Array.from({ length: 800 }, () => {
    const name = Array.from({ length: random.int(2, 3) }, () => random.pick(syllables)).join('');
    return `${name[0]!.toUpperCase()}${name.slice(1)}`;
  });
  const codes = Array.from(
    { length: 3000 },
    () => `${random.pick(['E', 'ERR', 'X', 'AC'])}${random.int(100, 9999)}`,
  );
  return { products, codes };
}

export interface CorpusOptions {
  seed?: number;
  /** Authors, teams and topics referenced by the documents. */
  authors?: number;
}

/**
 * Sentences and paragraphs over the vocabulary, drawn from `random` (its first
 * draws make the long tail of product names and error codes).
 */
export function createTextMaker(random: Random) {
  const { products, codes } = tail(random);
  const fill = (template: string, lang: Lang): string =>
    template
      .replace('{month}', random.pick(lang.months))
      .replace('{city}', random.pick(lang.cities))
      .replace('{product}', random.pick(products))
      .replace('{code}', random.pick(codes))
      .replace('{team}', random.pick(TEAMS_NAMES))
      .replace('{days}', String(random.int(2, 30)))
      .replace('{n}', String(random.int(2, 12)));
  const sentence = (lang: Lang) => {
    const s = `${random.pick(lang.subjects)} ${fill(random.pick(lang.problems), lang)} ${fill(random.pick(lang.details), lang)}.`;
    return random.chance(0.4) ? `${random.pick(lang.connectors)}: ${s}` : s;
  };
  const paragraph = (lang: Lang, sentences: number) =>
    Array.from({ length: sentences }, () =>
      random.chance(0.5) ? sentence(lang) : fill(random.pick(lang.actions), lang),
    ).join(' ');
  return { fill, sentence, paragraph };
}

/** `count` documents: about 55% posts, 35% answers, 10% KB articles. */
export function* generateCorpus(count: number, options: CorpusOptions = {}): Generator<SearchDocument> {
  const random = createRandom(options.seed ?? 20_261_101);
  const { fill, paragraph } = createTextMaker(random);
  const authors = Array.from(
    { length: options.authors ?? 500 },
    (_, i) => `user${String(i).padStart(5, '0')}`,
  );
  const teams = TEAMS_NAMES.map((_, i) => `team${i}`);
  const topics = Array.from({ length: 40 }, (_, i) => `topic${i}`);
  const now = Date.now();
  const questions: Array<{ id: string; title: string }> = [];
  for (let i = 0; i < count; i++) {
    const lang = random.chance(0.6) ? IT : EN;
    const roll = random.next();
    const createdAt = new Date(now - random.int(0, 3 * 365) * 86_400_000 - random.int(0, 86_400_000));
    const updatedAt = random.chance(0.3)
      ? new Date(createdAt.getTime() + random.int(0, 60) * 86_400_000)
      : createdAt;
    const authorId = random.pick(authors);
    const base = {
      topics: random.sample(topics, random.int(1, 3)),
      authorId,
      authorName: `Operatore ${authorId.slice(4)}`,
      teamId: random.pick(teams),
      createdAt,
      updatedAt: updatedAt.getTime() > now ? createdAt : updatedAt,
      score: Math.floor(random.next() ** 3 * 40),
      deleted: false,
      visibility: null,
    };
    const id = `d${String(i).padStart(7, '0')}`;
    if (roll < 0.55) {
      const kind: SearchKind = random.pick(['insight', 'tip', 'question', 'question']);
      const problem = fill(random.pick(lang.problems), lang);
      const title =
        kind === 'question'
          ? random.pick(lang.questions).replace('{problem}', problem)
          : `${random.pick(lang.subjects)} ${problem}`;
      if (kind === 'question') questions.push({ id, title });
      yield {
        ...base,
        type: 'post',
        id,
        url: `/posts/${id}`,
        kind,
        title,
        body: paragraph(lang, random.int(3, 8)),
        kbState: null,
      };
    } else if (roll < 0.9 && questions.length > 0) {
      const question = random.pick(questions);
      yield {
        ...base,
        type: 'answer',
        id,
        url: `/posts/${question.id}#answer-${id}`,
        kind: 'answer',
        title: question.title,
        context: question.title,
        body: paragraph(lang, random.int(2, 5)),
        kbState: null,
      };
    } else {
      const kbState: KbState = random.pick([
        'published',
        'published',
        'published',
        'draft',
        'review',
        'archived',
      ]);
      const problem = `${random.pick(lang.subjects)} ${fill(random.pick(lang.problems), lang)}`;
      yield {
        ...base,
        type: 'article',
        id,
        url: `/kb/${id}`,
        kind: 'article',
        title: lang === IT ? `Procedura: ${problem}` : `How to: ${problem}`,
        problem,
        body: Array.from({ length: random.int(3, 6) }, () => paragraph(lang, random.int(3, 6))).join('\n\n'),
        kbState,
        visibility:
          kbState === 'draft' || kbState === 'review'
            ? { roles: ['knowledge_manager', 'admin'], users: [authorId] }
            : null,
      };
    }
  }
}

/** Benchmark queries: 1-3 consecutive content words taken from the corpus's own sentences. */
export function generateQueries(words: number, count: number, seed = 7): string[] {
  const random = createRandom(seed + words * 1000);
  const pool = [...IT.problems, ...IT.actions, ...EN.problems, ...EN.actions]
    .map((t) => t.replace(/\{[a-z]+\}/g, ' '))
    .map((t) =>
      t
        .split(/[^\p{L}]+/u)
        .filter(
          (w) =>
            w.length > 3 &&
            !['della', 'dello', 'sulla', 'nella', 'with', 'that', 'from', 'have', 'this', 'about'].includes(
              w.toLowerCase(),
            ),
        ),
    )
    .filter((w) => w.length >= words);
  return Array.from({ length: count }, () => {
    const list = random.pick(pool);
    const start = random.int(0, list.length - words);
    return list
      .slice(start, start + words)
      .join(' ')
      .toLowerCase();
  });
}
