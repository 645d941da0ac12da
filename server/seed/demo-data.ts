/**
 * The demo organisation: "Aurora Servizi", a multi-utility contact center
 * (broadband and mobile, electricity and gas, payment cards) working in
 * Italian and English. Everything here is fixed data; seed.ts writes it.
 */

import type { TopicKind } from '../../models/topic.ts';
import type { Role } from '../../models/user.ts';

/** Password of every demo account (documented in the README). */
export const DEMO_PASSWORD = 'passaparola-demo';
export const DEMO_DOMAIN = 'aurora.example';

export interface DemoTeam {
  slug: string;
  name: string;
  description: string;
}

export const DEMO_TEAMS: DemoTeam[] = [
  {
    slug: 'fatturazione',
    name: 'Fatturazione e Pagamenti',
    description: 'Bollette, rate, rimborsi e addebiti diretti per tutti i servizi.',
  },
  {
    slug: 'assistenza-tecnica',
    name: 'Assistenza Tecnica Fibra e Mobile',
    description: 'Guasti, configurazione modem, copertura e portabilità del numero.',
  },
  {
    slug: 'energia',
    name: 'Energia – Contratti e Volture',
    description: 'Attivazioni, volture, subentri e letture per luce e gas.',
  },
  {
    slug: 'carte-conti',
    name: 'Carte e Conti',
    description: 'Carte di pagamento, contestazioni, blocchi e verifica identità.',
  },
];

export interface DemoTopic {
  slug: string;
  it: string;
  en: string;
  kind: TopicKind;
  parent?: string;
  descIt?: string;
  descEn?: string;
}

export const DEMO_TOPICS: DemoTopic[] = [
  // products
  {
    slug: 'fibra',
    it: 'Fibra FTTH',
    en: 'FTTH fibre',
    kind: 'product',
    descIt: 'Offerte e linee in fibra fino a casa.',
    descEn: 'Fibre-to-the-home offers and lines.',
  },
  { slug: 'fibra-modem', it: 'Modem e router', en: 'Modems and routers', kind: 'product', parent: 'fibra' },
  {
    slug: 'mobile',
    it: 'Mobile 5G',
    en: '5G mobile',
    kind: 'product',
    descIt: 'SIM, piani e roaming.',
    descEn: 'SIMs, plans and roaming.',
  },
  { slug: 'mobile-esim', it: 'eSIM', en: 'eSIM', kind: 'product', parent: 'mobile' },
  {
    slug: 'luce',
    it: 'Luce',
    en: 'Electricity',
    kind: 'product',
    descIt: 'Forniture di energia elettrica.',
    descEn: 'Electricity supply.',
  },
  {
    slug: 'gas',
    it: 'Gas',
    en: 'Gas',
    kind: 'product',
    descIt: 'Forniture di gas naturale.',
    descEn: 'Natural gas supply.',
  },
  { slug: 'carta-credito', it: 'Carta di credito', en: 'Credit card', kind: 'product' },
  { slug: 'carta-prepagata', it: 'Carta prepagata', en: 'Prepaid card', kind: 'product' },
  // services
  { slug: 'attivazione', it: 'Attivazione servizi', en: 'Service activation', kind: 'service' },
  {
    slug: 'portabilita',
    it: 'Portabilità del numero',
    en: 'Number porting',
    kind: 'service',
    parent: 'attivazione',
  },
  {
    slug: 'assistenza-guasti',
    it: 'Guasti e assistenza tecnica',
    en: 'Faults and technical support',
    kind: 'service',
  },
  {
    slug: 'roaming',
    it: 'Roaming internazionale',
    en: 'International roaming',
    kind: 'service',
    parent: 'mobile',
  },
  { slug: 'app-area-clienti', it: 'App e area clienti', en: 'App and customer portal', kind: 'service' },
  // processes
  {
    slug: 'fatturazione',
    it: 'Fatturazione',
    en: 'Billing',
    kind: 'process',
    descIt: 'Bollette, conguagli e fatture.',
    descEn: 'Bills, adjustments and invoices.',
  },
  {
    slug: 'bolletta-web',
    it: 'Bolletta elettronica',
    en: 'E-billing',
    kind: 'process',
    parent: 'fatturazione',
  },
  {
    slug: 'conguaglio',
    it: 'Conguagli e letture',
    en: 'Adjustments and meter readings',
    kind: 'process',
    parent: 'fatturazione',
  },
  { slug: 'pagamenti', it: 'Pagamenti e rimborsi', en: 'Payments and refunds', kind: 'process' },
  {
    slug: 'addebito-sdd',
    it: 'Addebito diretto SDD',
    en: 'SEPA direct debit',
    kind: 'process',
    parent: 'pagamenti',
  },
  {
    slug: 'rateizzazione',
    it: 'Rateizzazione',
    en: 'Instalment plans',
    kind: 'process',
    parent: 'pagamenti',
  },
  { slug: 'reclami', it: 'Reclami', en: 'Complaints', kind: 'process' },
  { slug: 'disdetta', it: 'Disdetta e recesso', en: 'Cancellation and withdrawal', kind: 'process' },
  { slug: 'voltura', it: 'Voltura e subentro', en: 'Transfer of ownership', kind: 'process' },
  { slug: 'verifica-identita', it: 'Verifica identità', en: 'Identity verification', kind: 'process' },
  {
    slug: 'contestazioni',
    it: 'Contestazioni e chargeback',
    en: 'Disputes and chargebacks',
    kind: 'process',
    parent: 'reclami',
  },
  { slug: 'blocco-carta', it: 'Blocco carta', en: 'Card blocking', kind: 'process' },
  // channels
  { slug: 'telefono', it: 'Telefono', en: 'Phone', kind: 'channel' },
  { slug: 'chat', it: 'Chat', en: 'Chat', kind: 'channel' },
  { slug: 'email', it: 'Email', en: 'Email', kind: 'channel' },
  { slug: 'social', it: 'Social', en: 'Social media', kind: 'channel' },
  { slug: 'negozio', it: 'Negozio', en: 'Store', kind: 'channel' },
];

/** Topics each team works on most, used to give people plausible declared topics. */
export const TEAM_TOPICS: Record<string, string[]> = {
  fatturazione: [
    'fatturazione',
    'bolletta-web',
    'conguaglio',
    'pagamenti',
    'addebito-sdd',
    'rateizzazione',
    'reclami',
  ],
  'assistenza-tecnica': [
    'fibra',
    'fibra-modem',
    'mobile',
    'mobile-esim',
    'assistenza-guasti',
    'portabilita',
    'roaming',
  ],
  energia: ['luce', 'gas', 'voltura', 'attivazione', 'conguaglio', 'disdetta'],
  'carte-conti': [
    'carta-credito',
    'carta-prepagata',
    'blocco-carta',
    'contestazioni',
    'verifica-identita',
    'app-area-clienti',
  ],
};

export interface DemoPerson {
  first: string;
  last: string;
  team: string | null;
  roles: Role[];
  locale?: 'it' | 'en';
  languages: string[];
  /** Listed in the README as a demo login. */
  featured?: boolean;
}

/** The people whose logins the README lists: one per role at least. */
export const FEATURED_PEOPLE: DemoPerson[] = [
  {
    first: 'Alessandra',
    last: 'Ferri',
    team: null,
    roles: ['admin'],
    languages: ['it', 'en'],
    featured: true,
  },
  {
    first: 'Giulia',
    last: 'Romano',
    team: null,
    roles: ['knowledge_manager'],
    languages: ['it', 'en', 'fr'],
    featured: true,
  },
  {
    first: 'Marco',
    last: 'Bianchi',
    team: 'fatturazione',
    roles: ['team_lead'],
    languages: ['it', 'en'],
    featured: true,
  },
  {
    first: 'Sara',
    last: 'Colombo',
    team: 'fatturazione',
    roles: ['operator'],
    languages: ['it'],
    featured: true,
  },
  {
    first: 'Luca',
    last: 'Esposito',
    team: 'assistenza-tecnica',
    roles: ['operator'],
    languages: ['it', 'en'],
    featured: true,
  },
  {
    first: 'Emma',
    last: 'Clarke',
    team: 'carte-conti',
    roles: ['operator'],
    locale: 'en',
    languages: ['en', 'it'],
    featured: true,
  },
  {
    first: 'Paolo',
    last: 'Greco',
    team: 'assistenza-tecnica',
    roles: ['team_lead', 'knowledge_manager'],
    languages: ['it', 'es'],
    featured: true,
  },
];

export const LEADS: DemoPerson[] = [
  { first: 'Chiara', last: 'Rinaldi', team: 'energia', roles: ['team_lead'], languages: ['it', 'de'] },
  { first: 'Davide', last: 'Moretti', team: 'carte-conti', roles: ['team_lead'], languages: ['it', 'en'] },
];

export const FIRST_NAMES = [
  'Francesca',
  'Andrea',
  'Valentina',
  'Matteo',
  'Elena',
  'Stefano',
  'Martina',
  'Simone',
  'Federica',
  'Alessio',
  'Silvia',
  'Riccardo',
  'Ilaria',
  'Giorgio',
  'Beatrice',
  'Nicola',
  'Roberta',
  'Tommaso',
  'Laura',
  'Fabio',
  'Camilla',
  'Lorenzo',
  'Anna',
  'Gabriele',
  'Irene',
  'Daniele',
  'Elisa',
  'Michele',
  'Noemi',
  'Pietro',
  'Aisha',
  'Olena',
  'Mateo',
  'Sofia',
  'Karim',
];

export const LAST_NAMES = [
  'Russo',
  'Ricci',
  'Marino',
  'Gallo',
  'Conti',
  'De Luca',
  'Mancini',
  'Costa',
  'Giordano',
  'Rizzo',
  'Lombardi',
  'Barbieri',
  'Fontana',
  'Santoro',
  'Mariani',
  'Caruso',
  'Ferrara',
  'Galli',
  'Martini',
  'Leone',
  'Longo',
  'Gentile',
  'Martinelli',
  'Vitale',
  'Serra',
  'Coppola',
  'De Santis',
  "D'Angelo",
  'Marchetti',
  'Parisi',
  'Benali',
  'Kovalenko',
  'Fernández',
  'Popescu',
  'Haddad',
];

export const BIO_TEMPLATES_IT = [
  'Al telefono da {years} anni, soprattutto su {topic}. Mi piace trovare la soluzione al primo contatto.',
  'Seguo {topic} e i casi più ostici delle chat. Chiedetemi pure.',
  'Ex negozio, ora in contact center: {topic} è il mio pane quotidiano.',
  'Referente informale per {topic} nel turno del pomeriggio.',
];

export const BIO_TEMPLATES_EN = [
  'On the phones for {years} years, mostly {topic}. I like solving it on the first contact.',
  'I handle {topic} and the trickiest chats. Ask away.',
];

/** How many generated operators each team gets besides its featured people and leads. */
export const OPERATORS_PER_TEAM = 9;
