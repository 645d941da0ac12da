/**
 * Demo knowledge of "Aurora Servizi": case insights, tips and questions with
 * answers and comments, written as operators write them. Authors are demo
 * people by email local part; `daysAgo` spreads the history over months.
 */

export interface DemoComment {
  by: string;
  text: string;
  hoursLater?: number;
}

export interface DemoAnswer {
  by: string;
  text: string;
  hoursLater: number;
  accepted?: boolean;
  comments?: DemoComment[];
}

interface DemoPostBase {
  by: string;
  title: string;
  topics: string[];
  tags?: string[];
  daysAgo: number;
  comments?: DemoComment[];
  /** How many colleagues pressed "I've seen this too" (insights). */
  seen?: number;
  attach?: Array<'bill-image' | 'procedure-pdf' | 'rates-csv' | 'router-image'>;
}

export interface DemoInsight extends DemoPostBase {
  kind: 'insight';
  situation: string;
  action: string;
  outcome: string;
  channel: 'phone' | 'chat' | 'email' | 'social' | 'store' | 'app' | 'other';
}

export interface DemoTip extends DemoPostBase {
  kind: 'tip';
  body: string;
}

export interface DemoQuestion extends DemoPostBase {
  kind: 'question';
  body: string;
  answers?: DemoAnswer[];
}

export type DemoPost = DemoInsight | DemoTip | DemoQuestion;

export const DEMO_POSTS: DemoPost[] = [
  {
    kind: 'insight',
    by: 'sara.colombo',
    title: 'Doppio addebito dopo il passaggio all’addebito diretto SDD',
    topics: ['addebito-sdd', 'fatturazione'],
    tags: ['doppio-addebito'],
    channel: 'phone',
    daysAgo: 96,
    seen: 9,
    attach: ['bill-image'],
    situation:
      'Cliente furioso: sul conto corrente vede **due addebiti** della stessa bolletta luce. Aveva attivato il SDD il 3 del mese e pagato anche il bollettino cartaceo arrivato prima dell’attivazione.',
    action:
      '1. Verificato in area clienti lo stato del mandato SDD: attivo dal ciclo successivo.\n2. Controllato il pagamento con bollettino: registrato due giorni prima dell’addebito.\n3. Aperta la pratica *rimborso pagamento doppio* con causale «SDD + bollettino» e allegato la contabile che il cliente ha mandato via email.\n4. Spiegato che il rimborso arriva sull’IBAN del mandato, non con nota di credito.',
    outcome:
      'Rimborso accreditato in 9 giorni lavorativi. Il cliente è stato richiamato dal back office per conferma. Attenzione: se si apre la pratica come «nota di credito» il rimborso slitta alla bolletta successiva e il cliente richiama.',
    comments: [
      {
        by: 'daniele.desantis',
        text: 'Confermo: la causale giusta è proprio «SDD + bollettino», con l’altra il back office rimbalza la pratica.',
      },
      {
        by: 'marco.bianchi',
        text: 'Lo inserisco nel briefing di lunedì, è il terzo caso questa settimana.',
        hoursLater: 5,
      },
    ],
  },
  {
    kind: 'insight',
    by: 'luca.esposito',
    title: 'Fibra lenta solo la sera: canale Wi‑Fi saturo, non la linea',
    topics: ['fibra', 'fibra-modem', 'assistenza-guasti'],
    tags: ['wifi', 'lentezza'],
    channel: 'chat',
    daysAgo: 88,
    seen: 14,
    attach: ['router-image'],
    situation:
      'Il cliente lamenta che la fibra «va a singhiozzo» dalle 20 alle 23. Test di linea dal nostro lato: tutto regolare, 940 Mbit/s in download.',
    action:
      'Chiesto al cliente di fare lo speed test **via cavo** e poi in Wi‑Fi vicino al modem. Via cavo perfetto, in Wi‑Fi 40 Mbit/s. Guidato il cliente nella pagina del modem (192.168.1.1 → Wi‑Fi → Canale) per passare dalla banda 2,4 GHz canale automatico a 5 GHz canale 36, separando i due nomi di rete.',
    outcome:
      'Velocità in Wi‑Fi tornata a 380 Mbit/s. Nessun intervento tecnico, nessun ticket. Prima di aprire un guasto per lentezza serale conviene sempre il test via cavo: il condominio con 30 reti sul canale 6 è la causa più frequente.',
  },
  {
    kind: 'tip',
    by: 'paolo.greco',
    title: 'Portabilità bloccata: controllare il codice di migrazione prima di tutto',
    topics: ['portabilita', 'attivazione'],
    tags: ['codice-migrazione'],
    daysAgo: 80,
    body: 'Quando una portabilità resta «in lavorazione» oltre i 5 giorni lavorativi, nell’80% dei casi il **codice di migrazione** è sbagliato di una lettera (spesso la O scambiata con lo zero).\n\nPrima di aprire il sollecito:\n- chiedete al cliente di leggere il codice lettera per lettera;\n- confrontatelo con quello in anagrafica;\n- se diverso, correggete e fate ripartire la richiesta: *non* serve annullare l’ordine.',
    comments: [
      {
        by: 'luca.esposito',
        text: 'Vale anche per la fibra FTTH: stesso problema con il codice del vecchio operatore.',
      },
    ],
  },
  {
    kind: 'question',
    by: 'emma.clarke',
    title: 'How do we handle a chargeback on a card that was already blocked?',
    topics: ['contestazioni', 'blocco-carta', 'carta-credito'],
    tags: ['chargeback'],
    daysAgo: 75,
    body: 'A customer blocked her card after losing it, then noticed two online purchases made *before* the block. She wants to dispute them. The card is now blocked, so the dispute form in the app does not open. What is the right path?',
    answers: [
      {
        by: 'davide.moretti',
        hoursLater: 2,
        accepted: true,
        text: 'The block does not stop the dispute. Open the dispute from the back office on the **old card number** (Cards → Blocked cards → Dispute). Select reason "unauthorised transaction before block" and attach the police report if she has one; without it, the customer signs the self-declaration we send by email. Refund is provisional within 10 working days.',
        comments: [
          { by: 'emma.clarke', text: 'Thank you, that worked. The self-declaration arrived in two minutes.' },
        ],
      },
      {
        by: 'camilla.marino',
        hoursLater: 6,
        text: 'Also tell her the replacement card keeps the same PIN only if she asks for it in the app — many customers expect it automatically.',
      },
    ],
  },
  {
    kind: 'insight',
    by: 'chiara.rinaldi',
    title: 'Voltura con subentro: la lettura del contatore va chiesta il giorno stesso',
    topics: ['voltura', 'luce', 'conguaglio'],
    channel: 'phone',
    daysAgo: 70,
    seen: 7,
    situation:
      'Nuovo inquilino chiede la voltura della luce. Il precedente intestatario non è raggiungibile. Il cliente teme di pagare i consumi dei mesi precedenti.',
    action:
      'Spiegato che con la voltura **serve l’autolettura alla data di subentro**. Fatta leggere al cliente la lettura in diretta (contatore elettronico, tasto 1 fino a «A+»), registrata nella pratica con foto caricata dall’app.',
    outcome:
      'Primo conguaglio corretto, nessuna contestazione. Senza la lettura del giorno il distributore stima i consumi e il nuovo cliente si ritrova 2–3 mesi di consumi non suoi: è il reclamo più comune sulle volture.',
  },
  {
    kind: 'tip',
    by: 'daniele.desantis',
    title: 'Rateizzazione: proporre la rata prima che il cliente la chieda',
    topics: ['rateizzazione', 'pagamenti'],
    tags: ['conguaglio-alto'],
    daysAgo: 66,
    body: 'Con i conguagli sopra i 300 € i clienti chiamano già arrabbiati. Se proponete subito la **rateizzazione in 6 rate senza interessi** (possibile fino a 2.000 €) la chiamata si chiude in metà tempo e con molte meno escalation.\n\nCome: Area fatture → Piano di rientro → «Conguaglio straordinario». La prima rata va con la bolletta successiva.',
  },
  {
    kind: 'question',
    by: 'francesca.galli',
    title: 'Il cliente non riceve l’SMS con il codice per l’area clienti: cosa controllo?',
    topics: ['app-area-clienti', 'verifica-identita'],
    daysAgo: 61,
    body: 'Il cliente prova da ieri ad accedere all’app, chiede il codice via SMS ma non arriva nulla. Il numero in anagrafica è corretto. Ho già chiesto di riavviare il telefono.',
    answers: [
      {
        by: 'paolo.greco',
        hoursLater: 1,
        accepted: true,
        text: 'Controlla in CRM → Contatti → *Blocco SMS promozionali*: se il cliente ha risposto STOP a un SMS commerciale, alcuni operatori bloccano anche gli SMS dal nostro mittente alfanumerico. Si sblocca togliendo il flag e chiedendo al cliente di scrivere «START» al 48xxx. In alternativa fai inviare il codice via email dalla stessa schermata.',
      },
    ],
  },
  {
    kind: 'insight',
    by: 'emma.clarke',
    title: 'Roaming charges after a cruise: the ship network is not EU roaming',
    topics: ['roaming', 'mobile', 'reclami'],
    tags: ['maritime'],
    channel: 'email',
    daysAgo: 58,
    seen: 11,
    situation:
      'Customer back from a Mediterranean cruise found €180 of data charges. She says roaming in Europe is free on her plan.',
    action:
      'Checked the usage detail: all sessions on network "MCP/Maritime". Explained that ships use satellite networks outside EU roaming rules. Because our welcome SMS for maritime networks was sent only *after* the first 50 MB, I opened a goodwill request citing the late warning.',
    outcome:
      '50% goodwill credit approved the next day. Since then I tell every customer who mentions a cruise to switch off data roaming on board — worth adding to the pre-travel checklist.',
  },
  {
    kind: 'tip',
    by: 'giulia.romano',
    title: 'Come scrivere un caso che diventa articolo della base di conoscenza',
    topics: ['reclami', 'fatturazione'],
    tags: ['kcs', 'scrittura'],
    daysAgo: 55,
    body: 'I casi che promuoviamo più in fretta hanno tre cose in comune:\n\n1. il **titolo con le parole del cliente** («mi hanno addebitato due volte», non «anomalia SDD»);\n2. i passaggi numerati, uno per riga, con il nome esatto delle schermate;\n3. l’esito con *cosa evitare*.\n\nSe citate un articolo esistente scrivete KB e il numero: lo colleghiamo noi.',
  },
  {
    kind: 'question',
    by: 'elisa.martini',
    title: 'Gas: lettura stimata molto più alta del reale, posso annullare la bolletta?',
    topics: ['gas', 'conguaglio', 'fatturazione'],
    daysAgo: 50,
    body: 'Bolletta gas con lettura stimata 1.240 Smc, il cliente mi manda la foto del contatore: 1.020. La bolletta è già emessa e scade tra 10 giorni.',
    answers: [
      {
        by: 'chiara.rinaldi',
        hoursLater: 3,
        accepted: true,
        text: 'Non si annulla, si **ricalcola**: registra l’autolettura con la foto (Pratiche → Rettifica lettura), poi apri «storno e riemissione». Se la scadenza è vicina sospendi l’incasso dalla stessa pratica, così il SDD non parte. Il cliente riceve la nuova bolletta in 5–7 giorni.',
        comments: [{ by: 'elisa.martini', text: 'Perfetto, non sapevo della sospensione incasso.' }],
      },
    ],
  },
  {
    kind: 'insight',
    by: 'camilla.marino',
    title: 'Carta prepagata rifiutata all’estero: limite geografico attivo di default',
    topics: ['carta-prepagata', 'app-area-clienti'],
    channel: 'app',
    daysAgo: 45,
    seen: 6,
    situation: 'Cliente in Giappone con la prepagata rifiutata ovunque, saldo disponibile 900 €.',
    action:
      'Verificato in back office: «Utilizzo extra UE» disattivato (impostazione di fabbrica per le carte emesse da aprile). Guidato il cliente nell’app: Carta → Sicurezza → Aree geografiche → Mondo.',
    outcome:
      'Pagamento riuscito in 2 minuti. Quando un cliente annuncia un viaggio, ricordategli di attivare l’area Mondo prima di partire.',
  },
  {
    kind: 'tip',
    by: 'alessio.ferrara',
    title: 'Disdetta luce e gas: chiedere sempre se il cliente cambia fornitore o lascia l’immobile',
    topics: ['disdetta', 'luce', 'gas'],
    daysAgo: 40,
    body: 'Sono due pratiche diverse:\n- **cambio fornitore**: non serve la disdetta, ci pensa il nuovo fornitore (switching);\n- **lascio l’immobile**: serve la cessazione con lettura finale.\n\nSe si apre la cessazione per un cambio fornitore il cliente resta senza luce per giorni.',
    attach: ['procedure-pdf'],
  },
  {
    kind: 'question',
    by: 'luca.esposito',
    title: 'eSIM: il QR code risulta già usato, il cliente ha cambiato telefono',
    topics: ['mobile-esim', 'mobile'],
    daysAgo: 35,
    body: 'Il cliente ha un telefono nuovo, prova a scansionare il QR dell’eSIM che aveva salvato: «codice già utilizzato». È normale? Serve una nuova eSIM a pagamento?',
    answers: [
      {
        by: 'paolo.greco',
        hoursLater: 2,
        accepted: true,
        text: 'È normale: ogni QR vale una sola installazione. Dal back office «Riemissione eSIM» è gratuita una volta ogni 12 mesi per cambio dispositivo; il nuovo QR arriva per email in 15 minuti. Ricorda al cliente di non cancellare la vecchia eSIM finché non è attiva la nuova.',
      },
      {
        by: 'giorgio.parisi',
        hoursLater: 26,
        text: 'Se il cliente ha un iPhone può anche usare il trasferimento rapido eSIM: funziona se il vecchio telefono è acceso vicino.',
      },
    ],
  },
  {
    kind: 'insight',
    by: 'marco.bianchi',
    title: 'Reclamo formale entro 45 giorni: la data che conta è quella di protocollo',
    topics: ['reclami', 'fatturazione'],
    channel: 'email',
    daysAgo: 30,
    seen: 5,
    attach: ['rates-csv'],
    situation:
      'Cliente minaccia l’associazione consumatori: dice di aver mandato un reclamo 50 giorni fa senza risposta.',
    action:
      'Cercato il reclamo per codice fiscale: protocollato solo 20 giorni fa (era arrivato a una casella non presidiata). Spiegato che i 45 giorni decorrono dal protocollo e fissato un richiamo dal back office reclami.',
    outcome:
      'Risposta scritta inviata al giorno 28. Abbiamo chiesto all’IT di inoltrare la vecchia casella al protocollo: fino ad allora controllate sempre la data di protocollo prima di promettere tempi.',
  },
  {
    kind: 'tip',
    by: 'emma.clarke',
    title: 'Spell back IBANs in groups of four',
    topics: ['addebito-sdd', 'pagamenti', 'telefono'],
    daysAgo: 24,
    body: 'When a customer dictates an IBAN on the phone, read it back **in groups of four characters**, the way it is printed. Errors dropped a lot in our team since we started; the rejected direct-debit mandates almost disappeared.',
  },
  {
    kind: 'question',
    by: 'anna.mariani',
    title: 'Bolletta elettronica: il cliente vuole tornare alla carta, ci sono costi?',
    topics: ['bolletta-web', 'fatturazione'],
    daysAgo: 18,
    body: 'Cliente anziano, la figlia aveva attivato la bolletta web. Ora vuole la carta. Ci sono costi di spedizione? Perde lo sconto?',
    answers: [
      {
        by: 'daniele.desantis',
        hoursLater: 4,
        text: 'Sì, perde lo sconto bolletta web (2 € al mese) e la spedizione cartacea costa 1 € a bolletta. Dalla prossima emissione. Si cambia da Anagrafica → Modalità di invio.',
      },
    ],
  },
  {
    kind: 'insight',
    by: 'giorgio.parisi',
    title: 'Modem che si riavvia di notte: aggiornamento firmware programmato',
    topics: ['fibra-modem', 'assistenza-guasti'],
    channel: 'phone',
    daysAgo: 12,
    seen: 3,
    situation:
      'Cliente che lavora di notte: la connessione cade ogni giorno verso le 3:10 per circa 4 minuti.',
    action:
      'Nel portale di gestione modem: finestra di aggiornamento firmware alle 3:00. Spostata alle 12:00 su richiesta del cliente (Gestione remota → Manutenzione).',
    outcome:
      'Nessuna caduta notturna nei giorni successivi. Utile da sapere per i clienti turnisti e per chi ha allarmi collegati.',
  },
  {
    kind: 'question',
    by: 'sara.colombo',
    title: 'Il cliente chiede la fattura in inglese per il datore di lavoro estero: si può?',
    topics: ['fatturazione'],
    daysAgo: 6,
    body: 'Un cliente espatriato chiede una copia della bolletta in inglese da presentare al datore di lavoro. Esiste un modello?',
    answers: [],
  },
  {
    kind: 'question',
    by: 'olena.fontana',
    title: 'Come verifico l’identità di un cliente senza documento italiano?',
    topics: ['verifica-identita', 'negozio'],
    daysAgo: 3,
    body: 'In negozio un cliente ucraino con permesso di protezione temporanea vuole aprire un contratto mobile. Il sistema chiede il codice fiscale, lui ha solo il passaporto e il permesso.',
    answers: [],
  },
  {
    kind: 'tip',
    by: 'luca.esposito',
    title: 'Chat: mandare il link della guida invece di dettare i passaggi',
    topics: ['chat', 'fibra-modem'],
    daysAgo: 1,
    body: 'In chat, per la configurazione del modem, il link alla guida illustrata fa risparmiare in media 6 minuti rispetto a scrivere i passaggi uno per uno. Chiedete solo di confermare quando hanno finito ogni sezione.',
  },
];
