/* value.h - what the values of the ordered kinds mean: the dates of a
 * `date` field, the numbers of an `integer` or `decimal` field.
 *
 * A date is a day number (days since 1970-01-01, proleptic Gregorian), a
 * number a count of millionths: both compare as integers, so that a
 * bound, a condition and a compare rule need nothing else.  Nothing here
 * depends on the locale (no strtod, no strptime) or allocates but the
 * reasons it gives.
 */
#ifndef SPMFORM_VALUE_H
#define SPMFORM_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Millionths: a number's unit.  A decimal field has at most
 * VALUE_DECIMALS digits after the point. */
#define VALUE_SCALE 1000000
#define VALUE_DECIMALS 6

/* Reads a date as a clerk writes it (s already trimmed and made
 * half-width): 2024-05-01, 2024/5/1, 2024.5.1, 2024年5月1日, a ROC year
 * of 1 to 3 digits (113/05/01, 113.5.1, 113年5月1日), 民國 or 中華民國 in
 * front (民國113年5月1日: a ROC year whatever its digits), and an ISO date
 * with a time after a T (2024-05-01T00:00:00, as an .ods cell holds it).
 * True with *day set when it is a date.  When it is not, *why gets NULL
 * if s does not look like a date at all, or a malloc'd reason when it has
 * the shape of one but no such day exists ("2 月沒有 30 日"). */
bool value_date_parse(const char *s, long *day, char **why);

/* Writes day as 2024-05-01, or as 113/05/01 when roc, into out (room for
 * 16 bytes).  A ROC date before 民國 1 is written as the ISO one. */
void value_date_format(long day, bool roc, char *out, size_t size);

/* The year, month and day of day, and the day of them. */
void value_date_ymd(long day, int *year, int *month, int *mday);
long value_date_day(int year, int month, int mday);

/* The day an Excel date serial (s: digits, an optional fraction) stands
 * for: 1 is 1900-01-01, and Excel's 1900-02-29 (60) is taken as
 * 1900-03-01.  False when s is not a serial of 1 to 2958465 (9999-12-31). */
bool value_date_from_serial(const char *s, long *day);

/* Now, or the time SOURCE_DATE_EPOCH says when it is set (a test's or a
 * reproducible build's). */
time_t value_now(void);

/* The local date of value_now(). */
long value_today(void);

/* Reads a number: ASCII digits, optionally a point and more digits (007,
 * 24, 1.5).  Returns 0 with *v (millionths; digits beyond the sixth after
 * the point dropped) and *decimals (all the digits after the point
 * counted), -1 when s is not such a number (empty, a sign, a comma, a
 * unit, a point at either end), 1 when it is 10^12 or more. */
int value_number_parse(const char *s, int64_t *v, int *decimals);

/* Writes v (millionths) with as many digits after the point as it needs
 * (3, 1.5, 0.25), into out (room for 32 bytes). */
void value_number_format(int64_t v, char *out, size_t size);

#endif
