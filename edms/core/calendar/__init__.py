"""The working-day calendar (производственный календарь): every deadline in the system is counted here.

    from edms.core.calendar import business_calendar
    deadline = business_calendar().add_working_days(reg_date, 10, basis='дата регистрации')
    deadline.date, deadline.explanation

The shipped data (`data/ru.json`, 2024–2027, each year citing its decree) and the administrators' changes
(`CalendarDay`) decide which days are working; outside the shipped years only Saturdays and Sundays are days off,
and the explanation says so.
"""

from edms.core.calendar.business import BusinessCalendar
from edms.core.calendar.cache import business_calendar, invalidate_calendar
from edms.core.calendar.data import ShippedData, YearData, shipped_data
from edms.core.calendar.days import KIND_LABELS, DayInfo, Deadline

__all__ = [
    'KIND_LABELS',
    'BusinessCalendar',
    'DayInfo',
    'Deadline',
    'ShippedData',
    'YearData',
    'business_calendar',
    'invalidate_calendar',
    'shipped_data',
]
