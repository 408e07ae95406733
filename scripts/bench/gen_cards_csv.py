"""Generate a realistic CSV of registration cards for `flask edms import-cards` and the benchmarks.

`python -m scripts.bench.gen_cards_csv N OUT.csv [--seed 42] [--russian-header]`: N rows of Russian document
summaries (8–30 words drawn with Zipf-like frequencies from a vocabulary of the document domain), registration
dates spread over the last five years, mixed kinds, about 2,000 correspondents, about 3 % restricted (ДСП).
Numbers are unique per kind and year, e.g. `Вх-000123/24`. The same N and seed always give the same file.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
from datetime import date, timedelta
from pathlib import Path

HEADER = (
    'reg_number', 'reg_date', 'kind', 'document_kind', 'summary', 'correspondent_name', 'sender_number',
    'sender_date', 'signer', 'pages', 'access_mark', 'status',
)  # fmt: skip
RUSSIAN_HEADER = (
    'Регистрационный номер', 'Дата регистрации', 'Вид карточки', 'Вид документа', 'Краткое содержание',
    'Корреспондент', 'Исходящий номер отправителя', 'Дата документа отправителя', 'Подписал', 'Количество листов',
    'Гриф доступа', 'Статус',
)  # fmt: skip
KINDS = (('incoming', 45, 'Вх'), ('outgoing', 30, 'Исх'), ('internal', 15, 'Вн'), ('citizen_appeal', 10, 'ОГ'))
DOCUMENT_KINDS = {
    'incoming': ('Письмо', 'Письмо', 'Письмо', 'Запрос', 'Уведомление', 'Постановление', 'Протокол'),
    'outgoing': ('Письмо', 'Письмо', 'Ответ на запрос', 'Информация', 'Доклад'),
    'internal': ('Служебная записка', 'Служебная записка', 'Приказ', 'Распоряжение', 'Докладная записка'),
    'citizen_appeal': ('Обращение', 'Обращение', 'Заявление', 'Жалоба', 'Предложение'),
}
OPENINGS = (
    'О предоставлении', 'О направлении', 'О рассмотрении', 'Об исполнении', 'О согласовании', 'О выделении',
    'О проведении', 'Об утверждении', 'О внесении изменений в', 'О результатах', 'Об организации', 'О подготовке',
    'О ходе выполнения', 'О порядке', 'О продлении срока', 'Об оказании', 'О включении в', 'О нарушении',
)  # fmt: skip
#: Words of the domain, most frequent first: `random.choices` weighs the k-th word by 1/k (Zipf).
_WORDS = """
информации сведений документов запроса обращения граждан поручения администрации области муниципального района
государственной услуги года плана мероприятий постановления правительства решения комиссии работ средств бюджета
программы развития контроля исполнения порядка соглашения заявления организации учреждения деятельности отчета
проекта договора финансирования субсидии земельного участка территории собственности жилого помещения предоставления
здравоохранения образования населения социальной поддержки граждан семей детей пенсионеров инвалидов ветеранов труда
выплаты пособия компенсации заработной платы работников сотрудников специалистов руководителя заместителя министра
начальника управления отдела департамента комитета министерства службы инспекции налоговой миграционной регистрации
учета временного пребывания иностранных граждан разрешения лицензии сертификата проверки надзора требований нарушений
устранения замечаний предписания мер ответственности закона федерального регионального законодательства нормативного
правового акта методических рекомендаций разъяснений вопросов обеспечения безопасности дорожного движения ремонта
дорог строительства объекта капитального жилищно коммунального хозяйства водоснабжения теплоснабжения отопления
электроснабжения благоустройства дворовых общественных пространств транспорта перевозок маршрута школ детских садов
больницы поликлиники медицинской помощи лекарственного обеспечения вакцинации культуры спорта молодежи туризма
экологии отходов лесного фонда сельского хозяйства предпринимательства малого среднего бизнеса инвестиций закупок
контракта аукциона конкурса торгов цен тарифов налогов сборов задолженности взыскания суда иска прокуратуры
представления протеста полиции происшествия чрезвычайной ситуации пожарной гражданской обороны выборов избирательной
кампании переписи статистики данных электронного документооборота межведомственного взаимодействия портала
информационной системы цифровой платформы персональных защиты архива копии выписки реестра справки свидетельства
паспорта удостоверения адреса места жительства квартиры дома улицы поселения города сроков продления заседания
совещания встречи семинара конференции награждения почетной грамоты благодарности кадрового резерва вакансии
аттестации обучения повышения квалификации командировки отпуска увольнения назначения штатного расписания
"""
VOCABULARY = list(dict.fromkeys(_WORDS.split()))
TOWNS = (
    'Энска', 'Северного', 'Заречного', 'Лесогорска', 'Приозерного', 'Каменска', 'Светлогорска', 'Новоселовского',
    'Березовского', 'Озерского', 'Ключевского', 'Сосновского', 'Покровского', 'Дубравного', 'Луговского',
    'Нагорного', 'Речного', 'Садового', 'Степного', 'Южного', 'Восточного', 'Западного', 'Ясного', 'Тихого',
    'Верхнего', 'Нижнего', 'Старого', 'Нового', 'Горного', 'Полевого',
)  # fmt: skip
BODIES = (
    'Администрация', 'Управление образования', 'Управление здравоохранения', 'Комитет по финансам',
    'Отдел социальной защиты', 'МБОУ СОШ № 1', 'МБОУ СОШ № 2', 'ГБУЗ Центральная районная больница', 'МФЦ',
    'Прокуратура', 'Отдел полиции', 'Пожарная часть', 'Управление ЖКХ', 'Совет депутатов', 'ООО «Стройсервис»',
    'АО «Теплосеть»', 'МУП «Водоканал»', 'ГКУ Центр занятости населения', 'Избирательная комиссия',
    'Комитет по культуре', 'Отдел архитектуры', 'Управление сельского хозяйства', 'ООО «Дорстрой»',
    'Территориальный отдел Роспотребнадзора', 'Инспекция ФНС', 'Отделение Социального фонда',
    'Управление Росреестра', 'ГБУ Комплексный центр социального обслуживания', 'МКУ Единая дежурная служба',
    'АНО «Центр поддержки предпринимательства»', 'Военный комиссариат', 'Финансовое управление',
    'Контрольно-счетная палата', 'Управление культуры', 'Районный суд', 'Отдел ЗАГС', 'Управление по делам молодежи',
    'Комитет по земельным ресурсам', 'Дом культуры', 'Центральная библиотека', 'Детская школа искусств',
    'ГБУ Лесничество', 'Управление дорожного хозяйства', 'Отдел опеки и попечительства', 'Ветеринарная станция',
    'Спортивная школа', 'Редакция районной газеты', 'Профсоюзная организация', 'Совет ветеранов',
    'Общественная палата', 'Управление транспорта', 'Центр гигиены и эпидемиологии', 'Жилищная инспекция',
    'Государственная инспекция труда', 'Отдел экономики', 'Отдел ГО и ЧС', 'Управление имущественных отношений',
    'Комиссия по делам несовершеннолетних', 'Центр «Мои документы»', 'ПАО «Энергосбыт»', 'АО «Почта России»',
    'ООО «Управляющая компания»', 'ТСЖ «Надежда»',
)  # fmt: skip
SURNAMES = (
    'Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов', 'Новиков', 'Федоров',
    'Морозов', 'Волков', 'Алексеев', 'Лебедев', 'Семенов', 'Егоров', 'Павлов', 'Козлов', 'Степанов', 'Николаев',
    'Орлов', 'Андреев', 'Макаров', 'Никитин', 'Захаров', 'Зайцев', 'Соловьев', 'Борисов', 'Яковлев', 'Григорьев',
)  # fmt: skip
INITIALS = 'АБВГДЕИКЛМНОПРСТ'
CORRESPONDENTS = 2000


def correspondents(rng: random.Random) -> list[str]:
    """About 2,000 distinct organizations of the region (a body of a town or district)."""
    names = [f'{body} {town}' for body in BODIES for town in TOWNS]
    rng.shuffle(names)
    return names[:CORRESPONDENTS]


def person(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.5:
        surname = surname + 'а'
    return f'{surname} {rng.choice(INITIALS)}. {rng.choice(INITIALS)}.'


class Generator:
    """Rows of the CSV, deterministic for a seed."""

    def __init__(self, seed: int, today: date | None = None) -> None:
        self.rng = random.Random(seed)
        self.today = today or date.today()
        self.start = self.today - timedelta(days=5 * 365)
        self.span = (self.today - self.start).days
        self.orgs = correspondents(self.rng)
        self.org_weights = list(itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(self.orgs))))
        self.word_weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(VOCABULARY))))
        self.kinds = [kind for kind, _, _ in KINDS]
        self.kind_weights = list(itertools.accumulate(weight for _, weight, _ in KINDS))
        self.prefixes = {kind: prefix for kind, _, prefix in KINDS}
        self.signers = [person(self.rng) for _ in range(300)]
        self.sequences: dict[tuple[str, int], int] = {}

    def summary(self) -> str:
        words = self.rng.choices(VOCABULARY, cum_weights=self.word_weights, k=self.rng.randint(7, 29))
        return f'{self.rng.choice(OPENINGS)} {" ".join(words)}'

    def row(self) -> tuple[object, ...]:
        rng = self.rng
        kind = rng.choices(self.kinds, cum_weights=self.kind_weights)[0]
        reg_date = self.start + timedelta(days=rng.randrange(self.span + 1))
        key = (kind, reg_date.year)
        self.sequences[key] = seq = self.sequences.get(key, 0) + 1
        number = f'{self.prefixes[kind]}-{seq:06d}/{reg_date.year % 100:02d}'
        correspondent, sender_number, sender_date = '', '', ''
        if kind == 'citizen_appeal':
            correspondent = person(rng)
            sender_date = (reg_date - timedelta(days=rng.randint(0, 10))).strftime('%d.%m.%Y')
        elif kind != 'internal':
            correspondent = rng.choices(self.orgs, cum_weights=self.org_weights)[0]
        if kind == 'incoming':
            sender_number = f'{rng.randint(1, 9999)}-{rng.choice(("ОД", "01-12", "ИС", "07"))}'
            sender_date = (reg_date - timedelta(days=rng.randint(0, 14))).strftime('%d.%m.%Y')
        age = (self.today - reg_date).days
        status = 'executed' if age > 60 and rng.random() < 0.8 else rng.choice(('registered', 'in_work'))
        return (
            number,
            reg_date.strftime('%d.%m.%Y') if rng.random() < 0.7 else reg_date.isoformat(),
            kind,
            rng.choice(DOCUMENT_KINDS[kind]),
            self.summary(),
            correspondent,
            sender_number,
            sender_date,
            rng.choice(self.signers),
            min(int(rng.expovariate(0.25)) + 1, 300),
            'restricted' if rng.random() < 0.03 else 'public',
            status,
        )


def generate(rows: int, out: Path, seed: int = 42, russian_header: bool = False) -> Path:
    """Write `rows` cards to `out` (UTF-8 with BOM, comma-separated) and return the path."""
    generator = Generator(seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open('w', encoding='utf-8-sig', newline='') as file:
        writer = csv.writer(file)
        writer.writerow(RUSSIAN_HEADER if russian_header else HEADER)
        for start in range(0, rows, 10_000):
            writer.writerows(generator.row() for _ in range(min(10_000, rows - start)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description='Generate a CSV of registration cards for import-cards.')
    parser.add_argument('rows', type=int, help='number of cards')
    parser.add_argument('out', type=Path, help='output CSV file')
    parser.add_argument('--seed', type=int, default=42)
    parser.add_argument('--russian-header', action='store_true', help='Russian column names in the header')
    args = parser.parse_args()
    generate(args.rows, args.out, args.seed, args.russian_header)
    print(f'{args.rows} rows written to {args.out}')


if __name__ == '__main__':
    main()
