"""Number templates: placeholders, padding, year, department, and the МЭДО 31-character limit."""

from datetime import date

import pytest

from edms.registry.numbering import NumberParts, render, template_problem


def test_render_pads_sequence_and_uses_the_two_digit_year():
    assert render('Вх-{seq:05d}/{yy}', NumberParts(42, date(2026, 3, 5))) == 'Вх-00042/26'


def test_render_substitutes_department_code_and_full_year():
    assert render('{seq}-{dept}/{yyyy}', NumberParts(7, date(2027, 1, 1), 'ОО')) == '7-ОО/2027'


@pytest.mark.parametrize(
    ('template', 'fragment'),
    [
        ('', 'обязательное поле'),
        ('Вх-{yy}', '{seq}'),
        ('{seq}-{name}', 'допустимы только'),
        ('{seq:>10}', 'допустимы только'),
        ('Входящий-документ-министерства-{seq:09d}', '31'),
    ],
)
def test_bad_templates_are_refused_with_the_rule(template, fragment):
    problem = template_problem(template)
    assert problem is not None
    assert fragment in problem


def test_template_check_counts_the_longest_department_code():
    assert template_problem('Входящий-{seq:07d}/{yyyy}-{dept}', 'X' * 4) is None
    assert template_problem('Входящий-{seq:07d}/{yyyy}-{dept}', 'X' * 16) is not None
