"""Lexicon of speech and cognition verbs (lemmas) that can introduce a quotation, in English, Russian and Ukrainian.

A quote's attribution is the verb that governs it in the dependency parse; it counts when its lemma is here.
English lemmas are spaCy's; Russian and Ukrainian lemmas are pymorphy3's normal forms (infinitives, both aspects).
Multi-word attributions (``wrote in a post``, ``told reporters``) need no entry of their own: the governing verb
(``write``, ``tell``) is the head of the phrase.
"""

from __future__ import annotations

_EN = """
say tell add state write claim declare announce warn note insist explain reply respond answer ask question
stress emphasize emphasise continue post tweet retweet allege argue admit acknowledge confirm deny urge vow recall
comment boast brag threaten report describe shout yell scream cry whisper mutter murmur joke quip laugh call
demand concede contend assert maintain suggest propose observe remark mention point predict promise pledge
swear testify reveal disclose confess complain lament grumble gripe protest object criticize criticise
condemn denounce blast slam lash attack accuse charge praise hail welcome thank congratulate apologize apologise
recount relate narrate describe detail summarize summarise conclude agree disagree caution advise counsel recommend
instruct order command direct plead beg implore appeal pray wonder muse speculate reason reckon think believe
feel figure guess suppose imagine hope fear worry doubt estimate calculate acknowledge affirm reaffirm reiterate
repeat echo counter retort rebut refute dispute challenge correct clarify elaborate expand interject interrupt
begin start open close finish end wrap sign write pen type text message email cable wire telegraph broadcast
air publish print blog chant sing sob snap snarl growl bark hiss sneer scoff mock taunt tease chide scold rebuke
reprimand lecture preach proclaim pronounce decree rule judge opine editorialize volunteer offer signal indicate
imply hint insinuate intimate acknowledge grant allow admit own confide inform notify advise brief update
assure reassure guarantee certify attest swear vouch inquire enquire query probe press pose push
conclude deduce infer surmise posit theorize theorise hypothesize argue debate discuss tell relay convey
communicate express voice articulate utter speak talk chat converse gush rave rant rail fume bristle erupt
thunder roar bellow holler exclaim gasp sigh groan moan stammer stutter blurt muse ponder recollect
remember reflect reminisce recognize recognise realize realise understand know learn discover notice find
read quote cite caption label headline title dub term characterize characterise frame cast portray paint
depict brand tout trumpet celebrate cheer applaud lambast pan knock rip savage skewer fault blame question
caution insist underline underscore highlight flag spotlight stress concur second endorse support back
reject dismiss rebuff spurn brush wave shrug scoff counter parry deflect dodge sidestep
"""

_RU = """
сказать говорить заявить заявлять добавить добавлять отметить отмечать подчеркнуть подчеркивать
подчёркивать написать писать сообщить сообщать пояснить пояснять рассказать рассказывать уточнить уточнять
указать указывать признать признавать признаться признаваться пообещать обещать предупредить предупреждать
ответить отвечать заключить заключать передать передавать завершить завершать резюмировать считать полагать
думать утверждать настаивать спросить спрашивать поинтересоваться задаться напомнить напоминать объяснить
объяснять высказаться высказываться выразить выражать озвучить озвучивать констатировать прокомментировать
комментировать опровергнуть опровергать отрицать возразить возражать парировать пожаловаться жаловаться
посетовать сетовать призвать призывать потребовать требовать попросить просить пригрозить грозить угрожать
поклясться клясться заверить заверять уверить уверять убеждать убедить доложить докладывать объявить
объявлять провозгласить провозглашать огласить оглашать раскрыть раскрывать рассказываться повторить
повторять продолжить продолжать начать начинать процитировать цитировать поделиться делиться обратиться
обращаться выступить выступать крикнуть кричать воскликнуть восклицать прошептать шептать пошутить шутить
съязвить иронизировать возмутиться возмущаться раскритиковать критиковать осудить осуждать похвалить хвалить
поблагодарить благодарить приветствовать поздравить поздравлять предложить предлагать посоветовать советовать
порекомендовать рекомендовать подытожить подвести допустить допускать предположить предполагать
прогнозировать спрогнозировать предсказать предсказывать оценить оценивать охарактеризовать
характеризовать назвать называть обозначить обозначать пояснить сформулировать формулировать
подтвердить подтверждать признать уверять опасаться бояться надеяться верить считаться полагаться вспомнить
вспоминать отозваться отзываться откликнуться откликаться ответить возмутиться удивиться удивляться
запостить опубликовать публиковать выложить выкладывать твитнуть разместить размещать транслировать
проинформировать информировать известить извещать оповестить оповещать рапортовать отчитаться
отчитываться поведать повествовать излагать изложить заметить замечать обмолвиться проговориться
огрызнуться пригрозить обвинить обвинять упрекнуть упрекать раскаяться извиниться извиняться говориться
смеяться засмеяться рассмеяться усмехнуться усмехаться улыбнуться улыбаться вздохнуть вздыхать хмыкнуть
"""

_UK = """
сказати казати заявити заявляти додати додавати зазначити зазначати відзначити відзначати наголосити
наголошувати підкреслити підкреслювати написати писати повідомити повідомляти пояснити пояснювати
розповісти розповідати уточнити уточнювати вказати вказувати визнати визнавати зізнатися зізнаватися
пообіцяти обіцяти попередити попереджати відповісти відповідати підсумувати резюмувати передати передавати
завершити завершувати вважати думати стверджувати наполягати запитати запитувати спитати питати
поцікавитися нагадати нагадувати висловитися висловлюватися висловити висловлювати озвучити озвучувати
констатувати прокоментувати коментувати спростувати спростовувати заперечити заперечувати поскаржитися
скаржитися закликати закликати вимагати зажадати попросити просити пригрозити погрожувати загрожувати
присягнутися запевнити запевняти переконати переконувати доповісти доповідати оголосити оголошувати
проголосити проголошувати розкрити розкривати повторити повторювати продовжити продовжувати почати
починати процитувати цитувати поділитися ділитися звернутися звертатися виступити виступати крикнути
кричати вигукнути вигукувати прошепотіти шепотіти пожартувати жартувати обуритися обурюватися
розкритикувати критикувати засудити засуджувати похвалити хвалити подякувати дякувати привітати вітати
запропонувати пропонувати порадити радити рекомендувати порекомендувати припустити припускати
прогнозувати спрогнозувати передбачити передбачати оцінити оцінювати охарактеризувати характеризувати
назвати називати позначити позначати сформулювати формулювати підтвердити підтверджувати побоюватися
боятися сподіватися вірити згадати згадувати відгукнутися відгукуватися опублікувати публікувати
викласти викладати розмістити розміщувати транслювати поінформувати інформувати сповістити сповіщати
звітувати відзвітувати прозвітувати поділитися зауважити зауважувати обмовитися звинуватити звинувачувати
дорікнути дорікати вибачитися вибачатися розповістися мовити промовити говорити проговорити йтися
сміятися засміятися розсміятися усміхнутися усміхатися посміхнутися посміхатися зітхнути зітхати хмикнути
"""


def _words(block: str) -> frozenset[str]:
    return frozenset(block.replace("ё", "е").split())


SPEECH_VERBS: dict[str, frozenset[str]] = {"en": _words(_EN), "ru": _words(_RU), "uk": _words(_UK)}

# Verbs that introduce speech only with a complement naming the utterance or its manner: "called X a liar" is not
# a quotation frame but "called it 'a disgrace'" gives the quote to the caller all the same, so they stay above;
# the ones below never govern a direct quote (cognition in the narrow sense), used for partial quotes only.
COGNITION_ONLY: frozenset[str] = frozenset(
    {"think", "believe", "feel", "figure", "guess", "suppose", "imagine", "hope", "fear", "worry", "doubt"}
)


# Given names that tell a person is a woman (English and romanised Russian/Ukrainian), for "she" and "he".
FEMALE_NAMES = _words(
    """mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa betty margaret sandra
    ashley kimberly emily donna michelle dorothy carol amanda melissa deborah stephanie rebecca sharon laura cynthia
    kathleen amy angela shirley anna brenda pamela emma nicole helen samantha katherine christine debra rachel
    carolyn janet catherine maria heather diane ruth julie olivia joyce virginia victoria kelly lauren christina
    joan evelyn judith megan andrea cheryl hannah jacqueline martha gloria teresa ann sara madison frances kathryn
    janice jean abigail alice judy sophia grace denise amber doris marilyn danielle beverly isabella theresa diana
    natalie brittany charlotte marie kayla alexis lori hillary kamala nancy nikki elise ursula kaja annalena giorgia
    marine angela theresa liz priti suella yvette lena tamara natalia nataliya natalya olga olha olena elena yelena
    irina iryna svetlana tatiana tetiana tetyana yulia yuliia maria mariya marina oksana lyudmila liudmyla galina
    halyna anastasia anastasiia ekaterina kateryna daria dariya sofia viktoria valentina iryna inna alla larysa
    larisa nadia nadiya nadezhda vera lyubov zoya ella maya sophie claire ruth patricia"""
)

# Nouns that name an organisation ("the ministry said"): they resolve to an organisation, never to a person.
ORG_NOUNS = _words(
    """ministry department agency office service company firm corporation operator group union brigade regiment
    battalion division corps army navy military force forces unit command headquarters staff government
    administration kremlin cabinet council committee commission parliament court party campaign embassy
    organization organisation team network channel outlet newspaper agency bank fund institute center centre
    alliance coalition movement authority authorities police prosecutor prosecutors bureau board federation
    association society club university hospital spokesperson
    министерство міністерство ведомство відомство бригада полк батальон батальйон дивизия дивізія корпус армия
    армія штаб командование командування правительство уряд администрация адміністрація кремль совет рада комитет
    комітет компания компанія служба управление управління агентство партия партія посольство группа група
    пресс-служба прес-служба пресслужба"""
)

# Nouns for a message that speaks for its author ("a statement from the brigade said").
DOCUMENT_NOUNS = _words(
    """statement report message post letter release note video communique communiqué memo tweet document
    summary bulletin update briefing
    заявление сообщение заява повідомлення допис пост ответ відповідь обращение звернення сводка зведення
    публикация публікація запись запис видео відео комментарий коментар"""
)

# Nouns that introduce a name written after them ("with the call sign Lystok", "под позывным Гром"); "sign" counts
# only with "call".
NAMING_NOUNS = _words(
    """name nickname pseudonym alias handle callsign позывной псевдоним прозвище позивний прізвисько"""
)

# Titles and roles dropped from a speaker's name ("Lt. Gen. Douglas R. Kemper" -> "Douglas R. Kemper").
TITLE_WORDS = _words(
    """mr mrs ms miss dr sen rep gov gen lt col maj capt sgt adm president prime minister secretary senator
    representative governor general lieutenant colonel major captain sergeant admiral deputy spokesman
    spokeswoman chief commander director mayor judge justice pope rev father sir lord lady prof professor
    lawmaker legislator congressman congresswoman councillor councilor councilman councilwoman ambassador envoy
    diplomat spokesperson organizer organiser activist analyst economist official officer soldier volunteer
    resident farmer teacher doctor nurse medic driver blogger journalist reporter correspondent lawyer attorney
    prosecutor chairman chairwoman chairperson founder executive manager engineer researcher scientist historian
    candidate coach pastor priest bishop rabbi imam sheriff detective inspector trooper pilot commissioner
    premier chancellor king queen prince princess junior senior private corporal"""
)

# Verbs that characterise rather than quote: a short quote under them stays a scare quote ("described as a
# 'meat grinder'"); under any other speech verb it is a statement ("called the blockade 'unacceptable'").
CHARACTERISING = _words(
    """describe accuse term dub label brand characterize characterise portray depict call
    назвать называть охарактеризовать назвати називати"""
)

# Verbs that go on with what was being said: "he added" is the last quoted speaker when the pronoun fits.
CONTINUING = _words(
    """add continue conclude reiterate repeat добавить добавлять продолжить продолжать додати додавати
    продовжити продовжувати"""
)

# People who speak for an organisation: "a European Commission spokeswoman" is the Commission speaking, "a senior
# EU official" is someone unnamed.
SPOKESPERSON_NOUNS = _words(
    """spokesman spokeswoman spokesperson spokespeople press-secretary representative представитель представник
    пресс-секретарь прес-секретар речник речниця"""
)

# The outlet's own people: "наш корреспондент" is the narrator, not someone the story quotes.
REPORTER_NOUNS = _words(
    """correspondent reporter journalist editor корреспондент кореспондент журналист журналіст репортер репортёр
    редакция редакція редактор"""
)

# Family nouns: "Lysenko's wife, Halyna" is Halyna Lysenko (a relative named by the given name alone shares the
# family name).
KINSHIP_NOUNS = _words(
    """wife husband mother father son daughter brother sister grandmother grandfather grandson granddaughter
    aunt uncle niece nephew widow widower stepson stepdaughter stepmother stepfather mom mum dad"""
)

# Words a title-case title of a work may leave in lower case ("State of the Union").
SMALL_WORDS = _words("""a an the of and or in on at to for with from by de la le du von van der""")


def is_speech_verb(lemma: str, language: str) -> bool:
    """Whether ``lemma`` (a spaCy or pymorphy3 lemma) is a communication or cognition verb in ``language``."""
    low = lemma.lower().replace("ё", "е")
    lexicon = SPEECH_VERBS.get(language)
    if lexicon is None:
        return False
    if language == "uk" and low[:1] in _EUPHONIC:  # Ukrainian alternates і/й and у/в at a word's start for
        return low in lexicon or _EUPHONIC[low[0]] + low[1:] in lexicon  # sound: ідеться = йдеться
    return low in lexicon


_EUPHONIC = {"і": "й", "й": "і", "у": "в", "в": "у"}
