export type ReplyClassification = 'interested' | 'not_interested' | 'out_of_office' | 'bounce' | 'unsubscribe';

export type InboundReply = {
  from?: string | undefined;
  subject?: string | null | undefined;
  text: string;
  /** Header names in any case. */
  headers?: Record<string, string> | undefined;
};

// Rules in English, German, French and Spanish. Order matters: a bounce or an auto-reply is
// recognised before its text is read as a person's answer, and "not interested" before "interested".
const BOUNCE_SENDER = /^(mailer-daemon|postmaster|mail-daemon)@/i;
const BOUNCE_SUBJECT =
  /(undeliver(ed|able)|delivery (status notification|has failed|failure)|mail delivery failed|returned mail|unzustellbar|nicht zustellbar|non remis|échec de (la )?remise|no se puede entregar|no entregado|error de entrega)/i;

const OOO_SUBJECT =
  /(out of (the )?office|automatic reply|auto[- ]?reply|autoreply|abwesenheit|automatische antwort|nicht im büro|absence|absent|réponse automatique|fuera de la oficina|respuesta automática|ausente)/i;
const OOO_TEXT = [
  /\b(i am|i'm|i will be) (currently )?(out of (the )?office|on (vacation|holiday|leave|parental leave)|away)\b/i,
  /\b(limited|no) access to (my )?e-?mail\b/i,
  /\b(ich bin|bin) (derzeit |zurzeit |bis .{1,30} )?(nicht im büro|im urlaub|abwesend|außer haus)\b/i,
  /\b(je suis|je serai) (actuellement )?(absent|absente|en congés?|en vacances|hors du bureau)\b/i,
  /\b(estoy|estaré) (actualmente )?(fuera de la oficina|de vacaciones|ausente)\b/i,
];

const UNSUBSCRIBE = [
  /\b(unsubscribe|remove me|take me off|opt[ -]?out|stop (e-?mailing|contacting|sending)|do not (e-?mail|contact) me|don't (e-?mail|contact) me)\b/i,
  /\b(abmelden|austragen|keine (weiteren )?(e-?mails|nachrichten)|nicht mehr (kontaktieren|anschreiben)|von (ihrer|der) liste)\b/i,
  /(désinscri|désabonn|ne (plus|pas) (me )?(contacter|écrire|recevoir)|retirez[- ]moi)/i,
  /\b(dar(me)? de baja|darme de baja|no me (escriba|envíe|envíen|contacte)s?( más)?|elimíname|quíteme de)\b/i,
];

const NOT_INTERESTED = [
  /\b(not interested|no interest|no thanks|no,? thank you|not (a )?(good )?fit|we('| a)re (all )?set|not (right )?now|not at this time|pass on this|we already (have|use))\b/i,
  /\b(kein interesse|nicht interessiert|nein,? danke|kein bedarf|passt (gerade )?nicht)\b/i,
  /\b(pas intéressée?|non merci|aucun intérêt|pas (de )?besoin|ça ne nous intéresse pas)\b/i,
  /\b(no (estoy|estamos) interesad[oa]s?|no me interesa|no nos interesa|no,? gracias|no necesitamos)\b/i,
];

const header = (headers: Record<string, string> | undefined, name: string) => {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? headers[key] : undefined;
};

/** The latest message only: quoted history ("> …", "On … wrote:") would repeat our own words. */
export function stripQuoted(text: string): string {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  for (const line of lines) {
    if (/^\s*>/.test(line)) continue;
    if (/^(on .+ wrote:|am .+ schrieb .+:|le .+ a écrit ?:|el .+ escribió:|-----\s*original message\s*-----)/i.test(line.trim())) break;
    out.push(line);
  }
  return out.join('\n').trim();
}

export function classifyReply(reply: InboundReply): ReplyClassification {
  const subject = reply.subject ?? '';
  const body = stripQuoted(reply.text);
  const autoSubmitted = header(reply.headers, 'auto-submitted');

  if ((reply.from && BOUNCE_SENDER.test(reply.from)) || BOUNCE_SUBJECT.test(subject) || header(reply.headers, 'x-failed-recipients')) {
    return 'bounce';
  }
  if (
    (autoSubmitted && autoSubmitted.toLowerCase() !== 'no') ||
    header(reply.headers, 'x-autoreply') ||
    header(reply.headers, 'x-autorespond') ||
    /^(auto_reply|oof)$/i.test(header(reply.headers, 'x-auto-response-suppress') ?? '') ||
    OOO_SUBJECT.test(subject) ||
    OOO_TEXT.some((r) => r.test(body))
  ) {
    return 'out_of_office';
  }
  if (UNSUBSCRIBE.some((r) => r.test(body)) || /unsubscribe|abmelden|désinscri|baja/i.test(subject)) return 'unsubscribe';
  if (NOT_INTERESTED.some((r) => r.test(body))) return 'not_interested';
  return 'interested';
}
