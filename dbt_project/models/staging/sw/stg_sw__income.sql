-- 个人所得税收入 (sw_income): the current version of every record: the latest row per catalogue key
-- (纳税人身份证号, 所属期, 扣缴单位) by (business date, sequence, line, delivery).
-- Identity-number key columns compare after normalisation.
-- The catalogue's Chinese column names are renamed to English; the record_key keeps them.
-- Month columns arrive typed as the month's first day (the loader parses the feed's format);
-- they are truncated to the first day again defensively.

with

source as (

    select * from {{ source('sw', 'income') }}

),

normalised as (

    select
        {{ normalize_id_number('"纳税人身份证号"', as_of='_business_date') }} as id_number,
        "纳税人身份证号" as id_number_raw,
        {{ id_number_issue('"纳税人身份证号"', as_of='_business_date') }} as id_number_issue,
        "姓名" as name,
        date_trunc('month', "所属期")::date as income_month,
        "扣缴单位" as withholding_agent,
        "收入额" as income_amount,
        "已缴税额" as tax_paid,
        _delivery_id as delivery_id,
        _business_date as business_date,
        _sequence as delivery_sequence,
        _line as delivery_line

    from source

),

versions as (

    {{ latest_version('normalised', ['coalesce(id_number, id_number_raw)', 'income_month', 'withholding_agent']) }}

)

select
    'sw_income' as feed,
    {{ record_key([
        ['纳税人身份证号', 'coalesce(versions.id_number, versions.id_number_raw)'],
        ['所属期', 'versions.income_month'],
        ['扣缴单位', 'versions.withholding_agent'],
    ]) }} as record_key,
    versions.id_number,
    versions.id_number_raw,
    versions.id_number_issue,
    versions.name,
    versions.income_month,
    versions.withholding_agent,
    versions.income_amount,
    versions.tax_paid,
    versions.delivery_id,
    versions.business_date

from versions
