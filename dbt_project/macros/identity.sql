{#-
  Resident identity-number normalisation (GB 11643-1999): the project's ONE SQL copy.

  Contract: ingest/spec/resident-id.md. Python twin: ingest/identity.py. The two must give the same
  normalised number and the same reason code for every input; tests/integration/test_identity_sql.py
  renders create_identity_functions() from this file with plain jinja2 (so keep that macro free of
  dbt-only context) and checks them against each other. Change both or neither.

  Install:  on-run-start: ["{{ create_identity_functions() }}"]
  Use:      {{ normalize_id_number('t.id_raw') }}, {{ id_number_issue('t.id_raw', 't.business_date') }}
-#}

{% macro create_identity_functions() %}
-- minzheng-sentinel: identity-number functions (rendered from macro create_identity_functions)
create schema if not exists util;

-- ISO 7064 MOD 11-2 check character of the 17-digit number n (0 <= n < 10^17): digit i counts
-- with weight w_i; the result is '10X98765432'[sum mod 11]. Integer arithmetic on one bigint is
-- about twice as fast as picking 17 substrings.
create or replace function util.id_check_char_of(n bigint)
returns text
language sql immutable parallel safe
as $fn$
    select substr('10X98765432', 1 + mod((
          7 * mod(n / 10000000000000000, 10) + 9 * mod(n / 1000000000000000, 10)
        + 10 * mod(n / 100000000000000, 10) + 5 * mod(n / 10000000000000, 10)
        + 8 * mod(n / 1000000000000, 10) + 4 * mod(n / 100000000000, 10)
        + 2 * mod(n / 10000000000, 10) + 1 * mod(n / 1000000000, 10)
        + 6 * mod(n / 100000000, 10) + 3 * mod(n / 10000000, 10)
        + 7 * mod(n / 1000000, 10) + 9 * mod(n / 100000, 10)
        + 10 * mod(n / 10000, 10) + 5 * mod(n / 1000, 10)
        + 8 * mod(n / 100, 10) + 4 * mod(n / 10, 10)
        + 2 * mod(n, 10))::int, 11), 1)
$fn$;

-- The same over text: the check character of 17 ASCII digits, null for anything else.
create or replace function util.id_check_char(first17 text)
returns text
language sql immutable parallel safe
as $fn$
    select case when length(first17) = 17 and first17 ~ '^[0-9]*$'
        then util.id_check_char_of(first17::bigint) end
$fn$;

-- Presentation noise removed, nothing guessed: separators dropped and full-width digits, x, Ｘ, ｘ
-- mapped to ASCII (one translate; the separator list is ingest.identity.SEPARATORS, same order),
-- then one ="..." or leading-apostrophe spreadsheet wrapper unwrapped. Values that are already
-- clean (nearly all of them) skip the translate, which is the costly step.
create or replace function util.id_number_clean(raw text)
returns text
language sql immutable parallel safe
as $fn$
    select case when raw ~ '^[0-9]*X?$' then raw else regexp_replace(
        translate(
            raw,
            E'\uFF10\uFF11\uFF12\uFF13\uFF14\uFF15\uFF16\uFF17\uFF18\uFF19\uFF38\uFF58x'
            || E' \t\n\r\x0b\f\u00A0\u3000\u200B\uFEFF-\u2010\u2011\u2012\u2013\u2014\u2212\uFF0D',
            '0123456789XXX'
        ),
        '^(?:="(.*)"|''(.*))$', '\1\2'
    ) end
$fn$;

-- The whole decision, evaluated once per value. PL/pgSQL rather than one SQL expression because
-- the cleaned text and the number are used many times, and an inlined SQL expression would
-- recompute them at every use. Steps and reasons match ingest.identity.normalize_id_number.
-- No regex with counted repetitions ({17}): PostgreSQL runs those several times slower.
create or replace function util.id_number_parse(
    raw text, as_of date default null, out id_number text, out issue text
)
language plpgsql immutable parallel safe
as $fn$
declare
    s text := util.id_number_clean(raw);
    n bigint;
    y int;
    m int;
    d int;
    check_char text;
begin
    if s is null or s = '' then
        issue := 'empty';
        return;
    end if;
    if s !~ '^[0-9]*X?$' then
        -- scientific notation always fails the character rule, so it is told apart only here
        issue := case when s ~ '^[0-9]+(?:[.,][0-9]*)?[eE]\+?[0-9]+$'
            then 'scientific_notation' else 'bad_characters' end;
        return;
    end if;
    if length(s) = 18 then
        n := left(s, 17)::bigint;
    elsif length(s) = 15 and right(s, 1) <> 'X' then
        n := (left(s, 6) || '19' || substr(s, 7))::bigint;  -- legacy: birth year 19YY
    else
        issue := 'bad_length';
        return;
    end if;
    -- n = AAAAAA YYYYMMDD SSS. A real calendar date (make_date only once known to be one),
    -- 1880-01-01 or later, and not after the business date when one is given.
    y := mod(n / 10000000, 10000);
    m := mod(n / 100000, 100);
    d := mod(n / 1000, 100);
    if y < 1880 or m < 1 or m > 12 or d < 1
        or d > (array[31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[m]
            + (m = 2 and mod(y, 4) = 0 and (mod(y, 100) <> 0 or mod(y, 400) = 0))::int then
        issue := 'bad_birth_date';
        return;
    end if;
    if as_of is not null and make_date(y, m, d) > as_of then
        issue := 'bad_birth_date';
        return;
    end if;
    check_char := util.id_check_char_of(n);
    if length(s) = 18 and right(s, 1) <> check_char then
        issue := 'bad_check_digit';
        return;
    end if;
    id_number := lpad(n::text, 17, '0') || check_char;
end
$fn$;

-- The two functions models call (through the macros below); the planner inlines them.
create or replace function util.normalize_id_number(raw text, as_of date default null)
returns text
language sql immutable parallel safe
as $fn$ select (util.id_number_parse(raw, as_of)).id_number $fn$;

create or replace function util.id_number_issue(raw text, as_of date default null)
returns text
language sql immutable parallel safe
as $fn$ select (util.id_number_parse(raw, as_of)).issue $fn$;
{% endmacro %}


{#- expr / as_of are SQL expressions (a column, a literal such as "'2024-06-30'"). The casts let
    a varchar or bigint column and a timestamp business date through without surprises. -#}
{% macro normalize_id_number(expr, as_of=none) -%}
util.normalize_id_number(({{ expr }})::text{% if as_of is not none %}, ({{ as_of }})::date{% endif %})
{%- endmacro %}

{% macro id_number_issue(expr, as_of=none) -%}
util.id_number_issue(({{ expr }})::text{% if as_of is not none %}, ({{ as_of }})::date{% endif %})
{%- endmacro %}
