/**
 * Pools for sample events. Deliberately varied: non-ASCII names and texts, emoji with joiners,
 * quotes, backslashes and newlines in strings, spaces and accents in filenames. Apps break on these,
 * so they should meet them here first.
 */
export interface Person {
  username: string;
  displayName: string;
  phone: string;
}

export const PEOPLE: readonly Person[] = [
  { username: 'KevinMcCallister', displayName: 'Kevin McCallister', phone: '1-800-759-3000' },
  { username: 'KateMcCallister', displayName: 'Kate McCallister', phone: '+1 312-555-0147' },
  { username: 'PeterMcCallister', displayName: 'Peter McCallister', phone: '+1 312-555-0199' },
  { username: 'BuzzMcCallister', displayName: 'Buzz', phone: '+1 312-555-0123' },
  { username: 'GusPolinski', displayName: 'Gus Polinski', phone: '+1 414-555-0163' },
  { username: 'OldManMarley', displayName: 'Marley', phone: '+1 312-555-0188' },
  { username: 'ZoeKruger', displayName: 'Zoë Krüger', phone: '+49 30 901820' },
  { username: 'SorenAagaard', displayName: 'Søren Ågård', phone: '+45 32 12 34 56' },
  { username: 'AyseYilmaz', displayName: 'Ayşe Yılmaz', phone: '+90 212 555 01 23' },
  { username: 'JoseAlvarez', displayName: 'José Álvarez', phone: '+34 612 34 56 78' },
  { username: 'LiLei', displayName: '李雷', phone: '+86 10 6552 9988' },
  { username: 'YukiTanaka', displayName: '田中 由紀', phone: '+81 3-1234-5678' },
  { username: 'OmarHaddad', displayName: 'عمر حداد', phone: '+971 4 123 4567' },
  { username: 'PriyaNair', displayName: 'Priya Nair', phone: '+91 98765 43210' },
  { username: 'EleniPapadopoulou', displayName: 'Ελένη Παπαδοπούλου', phone: '+30 21 0123 4567' },
  { username: 'NiamhOBrien', displayName: "Niamh O'Brien", phone: '+353 1 555 0123' },
  { username: 'ChloeDupont', displayName: 'Chloé "Clo" Dupont', phone: '+33 6 12 34 56 78' },
  { username: 'MateusSilva', displayName: 'Mateus Silva 🇧🇷', phone: '+55 11 91234-5678' },
  { username: 'OlgaIvanova', displayName: 'Ольга Иванова', phone: '+7 495 123-45-67' },
  { username: 'AmaraOkafor', displayName: 'Amara Okafor', phone: '+234 803 123 4567' },
];

export const MESSAGES: readonly string[] = [
  'I’m traveling with my dad. He’s at a meeting. I hate meetings.',
  'Keep the change, ya filthy animal.',
  'This is my house, I have to defend it.',
  'Did you remember the tickets? ✈️',
  'Merry Christmas, ya filthy animal 🎄🎁',
  'Is the pizza here yet? 🍕',
  "Don't forget the milk and the fabric softener.",
  'Can you send me the photos from Paris?',
  'Running 5 min late, traffic on Lake Shore Drive',
  'Look at the attachment and tell me what you think.',
  'Ok 👍',
  'Tschüss! Wir sehen uns morgen um 9 Uhr.',
  '¿Llegaste bien? Avísame cuando aterrices.',
  'Ça marche, on se retrouve au café à 18h ☕',
  '会议改到下午三点了，别迟到。',
  '明日の会議は10時からです 🙏',
  'سأصل بعد عشر دقائق',
  'Γεια σου! Τι κάνεις;',
  'Здравствуйте! Посылка уже у вас?',
  '👨‍👩‍👧‍👦 family dinner at 7?',
  'First line\nSecond line, after a newline',
  'She said "no way" and left. The plan is in C:\\Users\\kevin\\plan.txt',
  'Tab\tseparated\tvalues, anyone?',
  'Ⓤⓝⓘⓒⓞⓓⓔ is hard 😅 — ask anyone who parsed it with Latin-1',
];

export const REACTIONS: readonly string[] = [
  'red_angry_face',
  'thumbs_up',
  'red_heart',
  'face_with_tears_of_joy',
  'fire',
  'folded_hands',
  'clapping_hands',
  'face_screaming_in_fear',
];

export const GROUP_NAMES: readonly string[] = [
  'McCallister Family 🎄',
  'Wet Bandits',
  'Paris Trip ✈️',
  'Book Club 📚',
  'Équipe Lyon',
  '北京办公室',
  'Night Shift',
  'Weekend Football ⚽',
  'Plaza Hotel Staff',
  'Neighbourhood Watch',
];

export const GROUP_DESCRIPTIONS: readonly string[] = [
  'Everything about the holidays',
  'Plans, tickets and who brings what',
  'One book a month. No spoilers!',
  'Horaires, plannings et café ☕',
  'Shift swaps go here',
  'Kick-off Saturdays at 10:00',
];

export interface FileKind {
  filename: string;
  type: string;
  minBytes: number;
  maxBytes: number;
}

export const FILES: readonly FileKind[] = [
  { filename: 'boarding-pass.pdf', type: 'application/pdf', minBytes: 40_000, maxBytes: 400_000 },
  { filename: 'IMG_2043.jpg', type: 'image/jpeg', minBytes: 800_000, maxBytes: 6_000_000 },
  { filename: 'Screenshot 2026-11-28 at 09.41.12.png', type: 'image/png', minBytes: 90_000, maxBytes: 2_500_000 },
  { filename: 'Résumé – Zoë Krüger.pdf', type: 'application/pdf', minBytes: 60_000, maxBytes: 300_000 },
  { filename: 'voice-note.m4a', type: 'audio/mp4', minBytes: 20_000, maxBytes: 900_000 },
  { filename: 'holiday.mp4', type: 'video/mp4', minBytes: 5_000_000, maxBytes: 80_000_000 },
  { filename: 'plan.txt', type: 'text/plain', minBytes: 120, maxBytes: 9_000 },
  {
    filename: 'budget.xlsx',
    type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    minBytes: 8_000,
    maxBytes: 120_000,
  },
  { filename: '家族写真.heic', type: 'image/heic', minBytes: 600_000, maxBytes: 4_000_000 },
  { filename: 'contact.vcf', type: 'text/vcard', minBytes: 200, maxBytes: 2_000 },
];

export const ASSETS_URL = 'https://assets.oblic.chat';
