Feature: Путь одного участника: от освобождения до бизнеса, который работает
  Тот же год Зарины, но сотрудники читают reentry по-русски: каждое сообщение, которое
  видят социальный работник, тренер, члены комитета, финансисты и наставник, — на русском;
  суммы и даты записаны так, как принято у нас (8 500,00 сомони, 10.03.2026).

  Background:
    Given the administrator ADM has set up these centres:
      | code | name                          | city     |
      | DSH  | Dushanbe reintegration centre | Dushanbe |
    And these staff members:
      | code | name             | role             | centre |
      | CW1  | Зарина Назарова  | case_worker      | DSH    |
      | TR1  | Фарҳод Саидов    | trainer          | DSH    |
      | TR2  | Мадина Юсупова   | trainer          | DSH    |
      | TR3  | Рустам Олимов    | trainer          | DSH    |
      | CM1  | Дилшод Каримов   | committee_member |        |
      | CM2  | Ситора Раҳимова  | committee_member |        |
      | CM3  | Баҳодур Назаров  | committee_member |        |
      | CM4  | Гулноза Шарипова | committee_member |        |
      | FO1  | Умед Давлатов    | finance_officer  |        |
      | FO2  | Бахтиёр Олимов   | finance_officer  |        |
      | MN1  | Фарида Каримова  | mentor           | DSH    |
      | ME1  | Руслан Азимов    | me_officer       |        |
    And the staff read reentry in Russian

  Scenario: Год Зарины: от регистрации до бизнеса, который работает и через полгода
    Given it is 2026-01-12
    When the case worker types:
      """
      reentry --as CW1 participants add --name "Зарина Ашурова" --sex female --birth-date 04.07.1991 \
          --centre DSH --release-date 2025-12-20 --facility "Nurek women's prison 3/8"
      """
    Then they read "Зарина Ашурова зарегистрирован(а) под кодом DSH-2026-0001."
    When the case worker types "reentry --as CW1 participants consent DSH-2026-0001 --scope programme,referrals"
    And the trainer types:
      """
      reentry --as TR1 plans cohort add DSH-26A --centre DSH --title "Business training, winter 2026" \
          --start 2026-01-19 --end 2026-02-13 --trainer TR1,TR2,TR3 --session 2026-01-19:business_planning \
          --session 2026-01-26:marketing --session 2026-02-02:bookkeeping
      """
    And the trainer types "reentry --as TR1 plans enrol DSH-26A DSH-2026-0001"
    Then the command succeeds

    Given it is 2026-02-14
    When the trainer types "reentry --as TR1 plans attend DSH-26A 1 --others present"
    And the trainer types "reentry --as TR1 plans attend DSH-26A 2 --others present"
    And the trainer types "reentry --as TR1 plans attend DSH-26A 3 --others present"
    And the trainer types "reentry --as TR1 plans completion DSH-26A"
    Then they see "DSH-2026-0001"
    When the case worker types:
      """
      reentry --as CW1 plans add DSH-2026-0001 --cohort DSH-26A --title "Sewing workshop" --sector sewing \
          --cost "Sewing machine:2:3500" --cost "Overlock machine:1:4000" --own 1000 --request 10000 \
          --revenue 6000 --costs 3500 --submit
      """
    Then the command succeeds
    When the trainer types "reentry --as TR1 plans score DSH-26A-P001 --value market_understanding=4 --value financial_viability=4 --value skills_experience=5 --value realistic_budget=4 --value commitment=5 --value benefit_family_community=4"
    And the trainer types "reentry --as TR2 plans score DSH-26A-P001 --value market_understanding=4 --value financial_viability=3 --value skills_experience=4 --value realistic_budget=4 --value commitment=5 --value benefit_family_community=4"
    And the trainer types "reentry --as TR3 plans score DSH-26A-P001 --value market_understanding=3 --value financial_viability=4 --value skills_experience=4 --value realistic_budget=3 --value commitment=4 --value benefit_family_community=4"
    And the trainer types "reentry --as TR1 plans shortlist DSH-26A --top 1"
    Then they read "В список отобранных группы DSH-26A включено бизнес-планов: 1 (DSH-26A-P001)."

    Given it is 2026-03-02
    When the administrator types:
      """
      reentry --as ADM grants round add R2026 --title "Start-up grants 2026" --budget 50000 --min 2000 \
          --max 10000 --opens 2026-03-01 --closes 2026-04-30 --donor EU --require-shortlisted-plan \
          --require-training --tranche-plan 60,40:verified
      """
    And the administrator types "reentry --as ADM grants committee add R2026 CM1 CM2 CM3 CM4"
    And the administrator types "reentry --as ADM grants round open R2026"
    And the case worker types:
      """
      reentry --as CW1 grants apply R2026 DSH-2026-0001 --line "Sewing machine;2;3500;in_kind;Textile LLC" \
          --line "Overlock machine;1;3000;in_kind;Textile LLC" --contribution 1000 --submit
      """
    Then the command succeeds
    When the committee member types "reentry --as CM4 grants conflict declare R2026-001 --kind neighbour --note 'lives next door'"
    And the committee member types "reentry --as CM1 grants vote R2026-001 approve --amount 9000"
    And the committee member types "reentry --as CM2 grants vote R2026-001 approve --amount 8000"
    And the committee member types "reentry --as CM3 grants vote R2026-001 approve --amount 8500"
    And the committee member types "reentry --as CM1 grants decide R2026-001"
    Then they see "одобрено (8 500,00)"
    And they see "= 8 500,00 сомони"

    Given it is 2026-03-10
    When the finance officer types:
      """
      reentry --as FO1 grants disburse R2026-001 --method in_kind --items "2 sewing machines, 1 overlock" \
          --supplier "Textile LLC" --receipt RC-1001
      """
    Then the command succeeds
    When the second finance officer types "reentry --as FO2 grants confirm R2026-001 --tranche 1"
    Then they read "Транш 1 по R2026-001 подтверждён: 5 100,00 сомони."
    When the administrator types "reentry --as ADM mentoring profile MN1 --sex female --capacity 10 --languages tg,ru --sectors sewing"
    And the case worker types "reentry --as CW1 mentoring assign DSH-2026-0001 --mentor MN1"
    Then the command succeeds

    Given it is 2026-04-12
    When the mentor types "reentry --as MN1 mentoring visit DSH-2026-0001 --mode on_site --status operating --revenue 5200 --costs 3100 --owner 1 --equipment-seen"
    Then the command succeeds
    When the finance officer types "reentry --as FO1 grants disburse R2026-001 --method bank_transfer --reference TR-118"
    Then the command succeeds
    When the second finance officer types "reentry --as FO2 grants confirm R2026-001 --tranche 2"
    Then the command succeeds
    And grant R2026-001 has 8,500.00 TJS disbursed in two tranches

    Given it is 2026-09-14
    When the mentor types "reentry --as MN1 mentoring visit DSH-2026-0001 --mode on_site --status operating --revenue 6900 --costs 3800 --owner 1 --hired 1 --risk police_harassment --risk-note 'fined twice at the bazaar without a reason'"
    Then the command succeeds
    When the case worker types "reentry --as CW1 referrals list --participant DSH-2026-0001"
    Then they see "юридическая помощь"
    And they see "открыто"
    And they see "14.09.2026"

    Given it is 2026-09-30
    When the M&E officer types "reentry --as ME1 report programme --format json"
    Then the report's funnel counts Зарина at every stage up to six months, each as "<5"
