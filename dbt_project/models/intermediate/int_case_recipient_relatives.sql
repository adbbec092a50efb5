-- Close relatives among staff (W10, W11), per case and recipient: one row per (program, case_ref,
-- recipient, staff_id, relation) where the staff member (mz_staff, valid identity number) is a
-- close relative of the recipient on the case's approved_date d, and the recipient was a recipient
-- on d (dibao: a member of the household on d, [joined_date, left_date] containing d; other
-- programmes: the payee, the case's person).
-- Close relatives on d (warning-rules.md): the same person; spouses on d (the latest mz_marriage
-- record between them dated on or before d is a marriage); or both hold the same
-- ga_hukou.household_no.
-- Also carried for W11: the staff member's district and time in post, whether they are the
-- case's handler or approver, and the earliest relative filing (mz_staff_relative_filing for
-- that staff member and that relative) dated on or before d.

with

staff as (

    select * from {{ ref('stg_mz__staff') }}
    where id_number is not null

),

-- Only a staff member's relative can give a row: the relatives below are built from the staff
-- side (the staff members themselves, their spouse registrations, their hukou households), and
-- the recipients from the persons those reach, not from every recipient of every paid month
-- (int_recipient_months is read once, by a hash semi-join, and no person is matched to the staff
-- by a nested loop).
hukou as (

    select * from {{ ref('int_person_hukou') }}
    where household_no is not null

),

hukou_of_staff as (

    select * from {{ ref('int_person_hukou') }}
    where
        household_no is not null
        and id_number in (select staff.id_number from staff)

),

spouse_registrations as (

    select * from {{ ref('int_spouse_registrations') }}
    where other_id_number in (select staff.id_number from staff)

),

-- the persons that have a staff member as a close relative on some date: a superset of the
-- recipients this model can return
staff_relatives as (

    select staff.id_number from staff

    union

    select spouse_registrations.id_number from spouse_registrations

    union

    select hukou.id_number
    from hukou
    inner join hukou_of_staff
        on hukou.household_no = hukou_of_staff.household_no

),

recipients as (

    select distinct
        program,
        case_ref,
        recipient_id_number,
        recipient_from,
        recipient_to

    from {{ ref('int_recipient_months') }}
    where recipient_id_number in (select staff_relatives.id_number from staff_relatives)

),

cases as (

    select * from {{ ref('int_cases_unioned') }}
    where approved_date is not null

),

filings as (

    select * from {{ ref('stg_mz__staff_relative_filings') }}
    where relative_id_number is not null

),

case_recipients as (

    select distinct
        recipients.program,
        recipients.case_ref,
        recipients.recipient_id_number,
        cases.approved_date,
        cases.district_code,
        cases.handler_staff_id,
        cases.approver_staff_id,
        cases.case_feed,
        cases.case_record_key

    from recipients
    inner join cases
        on
            recipients.program = cases.program
            and recipients.case_ref = cases.case_ref
    where
        (recipients.recipient_from is null or recipients.recipient_from <= cases.approved_date)
        and (recipients.recipient_to is null or recipients.recipient_to >= cases.approved_date)

),

-- the latest registration between two persons on or before d, per (case, recipient, other person)
latest_registrations as (

    select distinct on (
        case_recipients.program, case_recipients.case_ref, case_recipients.recipient_id_number,
        spouse_registrations.other_id_number)
        case_recipients.program,
        case_recipients.case_ref,
        case_recipients.recipient_id_number,
        spouse_registrations.other_id_number,
        spouse_registrations.reg_type,
        spouse_registrations.reg_date,
        spouse_registrations.feed,
        spouse_registrations.record_key

    from case_recipients
    inner join spouse_registrations
        on
            case_recipients.recipient_id_number = spouse_registrations.id_number
            and case_recipients.approved_date >= spouse_registrations.reg_date
    order by
        case_recipients.program asc,
        case_recipients.case_ref asc,
        case_recipients.recipient_id_number asc,
        spouse_registrations.other_id_number asc,
        spouse_registrations.reg_date desc,
        spouse_registrations.record_key desc

),

relatives as (

    select
        program,
        case_ref,
        recipient_id_number,
        recipient_id_number as relative_id_number,
        'self' as relation,
        '[]'::jsonb as relation_evidence

    from case_recipients

    union all

    select
        program,
        case_ref,
        recipient_id_number,
        other_id_number as relative_id_number,
        'spouse' as relation,
        jsonb_build_array(
            {{ evidence_item('feed', 'record_key', "'reg_type'", 'reg_type',
                "'married on ' || " ~ iso_date('reg_date') ~ " || ', the latest registration of the pair on or before the approval date'") }}
        ) as relation_evidence

    from latest_registrations
    where reg_type = 'marriage'

    union all

    select
        case_recipients.program,
        case_recipients.case_ref,
        case_recipients.recipient_id_number,
        hukou_of_staff.id_number as relative_id_number,
        'same_household' as relation,
        jsonb_build_array(
            {{ evidence_item('hukou.feed', 'hukou.record_key', "'household_no'", 'hukou.household_no',
                "'the recipient''s hukou household'") }},
            {{ evidence_item('hukou_of_staff.feed', 'hukou_of_staff.record_key', "'household_no'",
                'hukou_of_staff.household_no',
                "'the staff member''s hukou household: the same'") }}
        ) as relation_evidence

    from case_recipients
    inner join hukou
        on case_recipients.recipient_id_number = hukou.id_number
    inner join hukou_of_staff
        on
            hukou.household_no = hukou_of_staff.household_no
            and hukou.id_number <> hukou_of_staff.id_number

)

select
    case_recipients.program,
    case_recipients.case_ref,
    case_recipients.recipient_id_number,
    case_recipients.approved_date,
    case_recipients.district_code as case_district_code,
    case_recipients.case_feed,
    case_recipients.case_record_key,
    staff.staff_id,
    staff.id_number as staff_id_number,
    staff.name as staff_name,
    staff.role as staff_role,
    staff.district_code as staff_district_code,
    staff.active_from as staff_active_from,
    staff.active_to as staff_active_to,
    staff.feed as staff_feed,
    staff.record_key as staff_record_key,
    relatives.relation,
    relatives.relation_evidence,
    coalesce(
        staff.staff_id in (case_recipients.handler_staff_id, case_recipients.approver_staff_id), false
    ) as is_handler_or_approver,
    case
        when staff.staff_id = case_recipients.handler_staff_id then 'handler'
        when staff.staff_id = case_recipients.approver_staff_id then 'approver'
    end as case_role,
    (
        select min(filings.record_key)
        from filings
        where
            filings.staff_id = staff.staff_id
            and filings.relative_id_number = case_recipients.recipient_id_number
            and filings.filed_date <= case_recipients.approved_date
    ) as filing_record_key

from relatives
inner join case_recipients
    on
        relatives.program = case_recipients.program
        and relatives.case_ref = case_recipients.case_ref
        and relatives.recipient_id_number = case_recipients.recipient_id_number
inner join staff
    on relatives.relative_id_number = staff.id_number
